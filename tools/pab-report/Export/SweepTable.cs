using System.Globalization;
using Pab.Common;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>
/// The text and Markdown report's CPU-count sweep: one row per order and antagonist CPU count, each shown
/// metric's median over runs and iterations with its spread (min … max), and the idle phase it is measured against.
/// </summary>
public static class SweepTable
{
    public static void Write(TextWriter w, IReadOnlyList<SweepCurve> curves, bool markdown, Action<TextWriter, Table> writeTable)
    {
        if (curves.Count == 0) return;
        var metrics = SweepCurves.Shown.Where(m => curves.Any(c => c.Metric == m)).ToList();
        var table = new Table(["order", "CPUs", "runs", .. metrics.Select(Short)]);
        for (int c = 0; c < table.Header.Length; c++) table.RightAligned.Add(c);
        foreach (var order in curves.Select(c => c.Order).Distinct())
        {
            var ofOrder = curves.Where(c => c.Order == order).ToList();
            foreach (int cpus in ofOrder.SelectMany(c => c.Points).Select(p => p.Cpus).Distinct().Order())
            {
                var points = metrics.Select(m => ofOrder.FirstOrDefault(c => c.Metric == m)?.Points.FirstOrDefault(p => p.Cpus == cpus)).ToList();
                int runs = points.OfType<SweepPoint>().Max(p => p.Runs);
                table.Add([order?.ToString(CultureInfo.InvariantCulture) ?? "-", cpus.ToString(CultureInfo.InvariantCulture),
                    runs.ToString(CultureInfo.InvariantCulture), .. points.Select(Cell)]);
            }
        }
        w.WriteLine();
        string title = "CPU-count sweep (the antagonist on the first N online CPUs; median [min … max] over runs and iterations: " +
            "available bytes one value per iteration, rate and latencies one per run)";
        w.WriteLine(markdown ? $"### {title}\n" : title + ":");
        writeTable(w, table);
        foreach (var idle in curves.Where(c => c.Idle != null))
            w.WriteLine($"{(markdown ? "\n" : "")}idle_available_bytes{(idle.Order is int o ? $" order {o}" : "")} (measured once, at the first count): {UnitFormat.Format(idle.Idle!.Value, Units.Bytes, 4)}");
    }

    /// <summary>A column's name: the metric without the prefix every one of them shares.</summary>
    private static string Short(string metric) =>
        metric.StartsWith("kernel_page_", StringComparison.Ordinal) ? metric["kernel_page_".Length..] : metric;

    private static string Cell(SweepPoint? p)
    {
        if (p == null) return "-";
        var s = p.Summary;
        string F(double v) => UnitFormat.Format(v, p.Unit, 4);
        return s.Count == 1 ? F(s.Median) : $"{F(s.Median)} [{F(s.Min)} … {F(s.Max)}]";
    }
}
