using System.Globalization;
using MathNet.Numerics.Statistics;
using Pab.Common;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>
/// Per metric and order: values, mean, σ, median, p95, min, max, with units; metrics measured once per run in a
/// compact table of their own; then runs, what could not be computed, replacements, warnings.
/// </summary>
public sealed class TextExporter(bool markdown) : IExporter<ReportContent>
{
    public void Export(ReportContent report, Stream output)
    {
        var (data, warnings) = report;
        using var w = Exporters.Writer(output);
        var rows = ReportRows.Of(data);
        var table = new Table("metric", "order", "runs", "values", "mean", "σ", "median", "p95", "min", "max");
        foreach (int c in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }) table.RightAligned.Add(c);
        foreach (var r in rows.Where(r => !r.OneValue))
        {
            var s = r.Summary;
            table.Add(MetricName(r.Key), Order(r.Key), UnitFormat.Count(r.Runs), UnitFormat.Count(s.Count),
                r.Format(s.Mean), r.Format(s.StdDev), r.Format(s.Median), r.Format(s.P95), r.Format(s.Min), r.Format(s.Max));
        }
        var single = rows.Where(r => r.OneValue).ToList();
        bool pooled = single.Any(r => r.Runs > 1);
        var once = new Table("metric", "order", "runs", pooled ? "value (mean of runs)" : "value");
        foreach (int c in new[] { 1, 2, 3 }) once.RightAligned.Add(c);
        foreach (var r in single)
            once.Add(MetricName(r.Key), Order(r.Key), UnitFormat.Count(r.Runs), r.Format(r.Summary.Mean));

        if (markdown) w.WriteLine("## page-alloc-bench results\n");
        Heading(w, "Runs");
        foreach (var run in data.Runs) WriteRun(w, run);
        w.WriteLine();
        Heading(w, data.Runs.Count > 1
            ? $"Results of {data.Runs.Count} runs (each row pools every run's values; pab-report compare judges runs as replicates)"
            : "Results");
        if (rows.Count == 0) w.WriteLine("(no metric or samples records)");
        else if (table.Count > 0) Write(w, table);
        else w.WriteLine("(every metric has one value per run: see below)");
        if (once.Count > 0)
        {
            w.WriteLine();
            Heading(w, "Measured once per run (one value each: no spread to show)");
            Write(w, once);
        }
        var exact = ExactTable(data);
        if (exact.Count > 0)
        {
            w.WriteLine();
            Heading(w, "Whole population (the antagonist's exact per-CPU figures: median of CPUs' p50, worst CPU's p99 and p99.9, overall max)");
            Write(w, exact);
        }
        SweepTable.Write(w, SweepCurves.Of(data), markdown, Write);
        AccountSection.Write(w, data, markdown, Write);
        if (data.Derived.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"{Metrics.MemoryAvailableDiffBytes} = idle − antagonized available bytes − {Metrics.KernelHeldBytes}, per iteration (computed by pab-report).");
        }
        if (data.NotComputed.Count > 0)
        {
            w.WriteLine();
            Heading(w, "Not computed");
            foreach (var n in data.NotComputed) w.WriteLine(Prefix() + n);
        }

        if (data.Replacements.Count > 0)
        {
            w.WriteLine();
            Heading(w, "Replaced by later records of the same run");
            foreach (var line in DescribeReplacements(data.Replacements)) w.WriteLine(Prefix() + line);
        }
        if (markdown && warnings.Count > 0)
        {
            w.WriteLine();
            Heading(w, "Warnings");
            foreach (string warning in Warning.Grouped(warnings)) w.WriteLine("- " + warning);
        }
    }

    private void Write(TextWriter w, Table t)
    {
        if (markdown) t.WriteMarkdown(w);
        else t.WriteText(w);
    }

    private static string Order(GroupKey key) => key.Order?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private string Prefix() => markdown ? "- " : "  ";

    // The sample gives the distribution's shape; the tool's exact figures over every operation are shown beside it.
    private static Table ExactTable(MergedData data)
    {
        var table = new Table("metric", "order", "operations", "p50", "p99", "p99.9", "max");
        foreach (int c in new[] { 1, 2, 3, 4, 5, 6 }) table.RightAligned.Add(c);
        foreach (var (key, series) in data.Groups())
        {
            var items = series.SelectMany(s => s.Items).Where(c => c.Header.Type == RecordType.Samples).ToList();
            if (!items.Any(c => c.Header.Details != null || c.Header.Population != null)) continue;
            string unit = series[0].Unit;
            string Figure(string name, Func<double[], double> combine)
            {
                var v = items.Select(c => Detail(c, name)).OfType<double>().Where(x => !double.IsNaN(x)).ToArray();
                return v.Length == 0 ? "-" : UnitFormat.Format(combine(v), unit);
            }
            long population = items.Sum(c => c.Header.Population ?? 0);
            table.Add(MetricName(key), key.Order?.ToString(CultureInfo.InvariantCulture) ?? "-", population > 0 ? UnitFormat.Count(population) : "-",
                Figure("p50_ns", v => Statistics.Median(v)), Figure("p99_ns", ArrayStatistics.Maximum),
                Figure("p99_9_ns", ArrayStatistics.Maximum), Figure("max_ns", ArrayStatistics.Maximum));
        }
        return table;
    }

    private static double? Detail(Contribution c, string name) =>
        c.Header.Details is { } details && details.TryGetValue(name, out double v) ? v : null;

    private void Heading(TextWriter w, string title)
    {
        if (markdown) w.WriteLine($"### {title}\n");
        else w.WriteLine(title + ":");
    }

    private static string MetricName(GroupKey key) => key.Metric + key.CpusText + (key.Label is { } l ? $" [{l}]" : "");

    private void WriteRun(TextWriter w, RunInfo run)
    {
        var tools = run.Meta.Where(m => m.Tool != null).Select(m => $"{m.Tool} {m.ToolVersion}".Trim()).Distinct().ToList();
        if (tools.Count == 0) tools = run.Tools.Order(StringComparer.Ordinal).ToList();
        string when = run.FirstTime is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "time unknown";
        w.WriteLine($"{Prefix()}{run.Id} ({when}{(tools.Count > 0 ? "; " + string.Join(", ", tools) : "")})");
        var host = run.Meta.Select(m => m.Host).FirstOrDefault(h => h != null);
        if (host != null) w.WriteLine($"{(markdown ? "  - " : "    ")}{HostText.Describe(host)}");
    }

    /// <summary>One line per metric, run and pair of files, naming the iterations.</summary>
    public static IEnumerable<string> DescribeReplacements(IReadOnlyList<Replacement> replacements) =>
        replacements.GroupBy(r => (r.Key.Group, r.Run, r.ReplacedIn, r.ByIn)).Select(g =>
        {
            var iterations = g.Where(r => r.Key.Iteration != null).Select(r => r.Key.Iteration!.Value).Order().ToList();
            string which = iterations.Count > 0 ? $" iteration(s) {string.Join(",", iterations)}" : "";
            string files = g.Key.ReplacedIn == g.Key.ByIn ? $"in {g.Key.ByIn}" : $"from {g.Key.ReplacedIn} by later ones from {g.Key.ByIn}";
            return $"{g.Key.Group}{which} of run {g.Key.Run}: {g.Sum(r => r.Records)} record(s), {UnitFormat.Count(g.Sum(r => r.Values))} value(s) replaced {files}";
        });

    /// <summary>One line per pair of files whose records repeated unchanged.</summary>
    public static IEnumerable<string> DescribeDuplicates(IReadOnlyList<Duplicate> duplicates) =>
        duplicates.Select(d => d.File == d.FirstIn
            ? $"{d.File}: {UnitFormat.Count(d.Records)} record(s) appear twice in it unchanged; each merged once"
            : $"{d.File}: {UnitFormat.Count(d.Records)} record(s) repeat records of {d.FirstIn} unchanged (the same run given twice?); each merged once");
}
