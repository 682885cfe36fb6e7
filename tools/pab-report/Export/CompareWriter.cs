using System.Globalization;
using Pab.Report.Summaries;
using Pab.Report.Compare;

namespace Pab.Report.Export;

/// <summary>The comparison as a terminal table or Markdown, with the notes that say what its columns mean.</summary>
public static class CompareWriter
{
    public static readonly string[] Header = ["metric", "order", "side", "runs", "median of runs", "min … max of runs", "change [interval]", "verdict", "detectable"];

    /// <summary>The table's cells, one row per side of each compared row (also the HTML page's verdict table).</summary>
    public static List<(string[] Cells, Verdict Verdict, bool Baseline)> Cells(Comparison cmp, IReadOnlyList<ComparisonRow>? rows = null)
    {
        var list = new List<(string[], Verdict, bool)>();
        int need = ShiftEstimate.RunsNeeded(cmp.Alpha);
        foreach (var row in rows ?? cmp.Rows)
        {
            bool first = true;
            foreach (var side in row.Sides)
            {
                string F(double v) => UnitFormat.Format(v, row.Unit, 4);
                string metric = row.Key.Metric + row.Key.CpusText + (row.Key.Label is { } l ? $" [{l}]" : "");
                var cells = new[]
                {
                    first ? metric : "", first ? row.Key.Order?.ToString(CultureInfo.InvariantCulture) ?? "-" : "", side.Name,
                    side.Row != null ? side.Runs.ToString(CultureInfo.InvariantCulture) : "-",
                    side.Row != null ? F(side.Median) : "-",
                    side.Row != null ? (side.Runs == 1 ? F(side.Min) : $"{F(side.Min)} … {F(side.Max)}") : "-",
                    first ? "(baseline)" : Change(side, row.Unit),
                    first ? "" : Describe(side.Verdict, need) + (Preferred.Judge(row.Key.Metric, side.Verdict) is { } b ? $" ({b})" : ""),
                    first || double.IsNaN(side.Detectable) ? "" : "±" + Magnitude(side.Detectable, side.Shift!.Scale, row.Unit),
                };
                list.Add((cells, side.Verdict, first));
                first = false;
            }
        }
        return list;
    }

    public static string Describe(Verdict v, int need) => v switch
    {
        Verdict.Higher => "higher",
        Verdict.Lower => "lower",
        Verdict.NoChangeDetected => "~",
        Verdict.TooFewRuns => $"too few runs: {need} a side needed",
        Verdict.OneRun => "one run a side: no verdict",
        _ => "missing on one side",
    };

    private static string Change(SideResult side, string unit)
    {
        if (side.Shift is { } s)
            return s.Scale == ChangeScale.Ratio
                ? $"{Percent(s.Change)} [{Percent(s.Low)}, {Percent(s.High)}]"
                : $"{Signed(s.Change, unit)} [{Signed(s.Low, unit)}, {Signed(s.High, unit)}]";
        if (side.Verdict == Verdict.OneRun && !double.IsNaN(side.WithinRunChange))
            return (RunSummaries.DifferenceMetrics.Contains(side.Row!.Key.Metric) ? Signed(side.WithinRunChange, unit) : Percent(side.WithinRunChange)) + " within one run";
        return "";
    }

    private static string Magnitude(double v, ChangeScale scale, string unit) =>
        scale == ChangeScale.Ratio ? Percent(v).TrimStart('+') : UnitFormat.Format(v, unit, 3);

    private static string Signed(double v, string unit) => (v > 0 ? "+" : "") + UnitFormat.Format(v, unit, 3);

    /// <summary>A ratio − 1 as a signed percentage, with the digits its size needs (+12 %, +1.2 %, +0.12 %, +0.012 %).</summary>
    public static string Percent(double ratio)
    {
        if (double.IsNaN(ratio) || double.IsInfinity(ratio)) return "-";
        double p = ratio * 100, a = Math.Abs(p);
        string f = a >= 10 ? "0" : a >= 1 ? "0.0" : a >= 0.1 ? "0.00" : "0.000";
        string s = p.ToString(f, CultureInfo.InvariantCulture);
        return (p >= 0 && !s.StartsWith('-') ? "+" : "") + s + " %";
    }

    public static IEnumerable<string> Notes(Comparison cmp)
    {
        var levels = cmp.Rows.SelectMany(r => r.Sides).Where(s => s.Shift != null).Select(s => s.Shift!.Confidence)
            .Distinct().Order().Select(c => (c * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %").ToList();
        string alpha = cmp.Alpha.ToString(CultureInfo.InvariantCulture);
        yield return $"Each run (a boot) is one sample: a run is summarised first (the median of its iterations, its latency percentiles, its rates per second), and the sides are compared over those summaries against {cmp.SideNames[0]}.";
        yield return "change: the Hodges–Lehmann estimate of the shift between sides (a ratio, as a percentage, for positive metrics; a difference otherwise), in brackets its exact Mann–Whitney interval"
            + (levels.Count > 0 ? $" (coverage {string.Join(", ", levels)}: the exact levels the run counts allow at α = {alpha})" : "") + ".";
        yield return $"verdict: higher or lower when the interval excludes no change; ~ when these runs cannot tell (detectable: the smallest change they would find four times in five, from the run-to-run spread).";
        yield return $"{cmp.Tested} comparison(s) tested at α = {alpha}: about {(cmp.Tested * cmp.Alpha).ToString("0.#", CultureInfo.InvariantCulture)} would be called changed by chance alone if nothing had changed; {cmp.Called} were.";
        if (cmp.MinChange > 0)
            yield return $"Changes below {(cmp.MinChange * 100).ToString("0.##", CultureInfo.InvariantCulture)} % are not called changes (--min-change).";
    }

    /// <summary>The colour of a verdict on a terminal: a change stands out, "~" recedes.</summary>
    public static string? Colour(Verdict v) => v switch
    {
        Verdict.Higher or Verdict.Lower => Ansi.BoldYellow,
        Verdict.NoChangeDetected => Ansi.Dim,
        _ => null,
    };

    public static void Write(Comparison cmp, TextWriter w, bool markdown, Ansi? colour = null)
    {
        var table = new Table(Header);
        foreach (int c in new[] { 3, 4, 5, 8 }) table.RightAligned.Add(c);
        var cells = Cells(cmp);
        foreach (var (row, _, _) in cells) table.Add(row);
        int verdictColumn = Array.IndexOf(Header, "verdict");
        if (markdown)
        {
            w.WriteLine("## page-alloc-bench comparison\n");
            foreach (string info in cmp.SideInfo) w.WriteLine("- " + info);
            if (cmp.SideInfo.Count > 0) w.WriteLine();
            table.WriteMarkdown(w);
            w.WriteLine();
            foreach (string note in Notes(cmp)) w.WriteLine(note + "\n");
            AccountCompareWriter.Write(cmp, w, markdown, colour);
        }
        else
        {
            foreach (string info in cmp.SideInfo) w.WriteLine(info);
            if (cmp.SideInfo.Count > 0) w.WriteLine();
            table.WriteText(w, "", colour, (r, c) => c == verdictColumn && !cells[r].Baseline ? Colour(cells[r].Verdict) : null);
            w.WriteLine();
            foreach (string note in Notes(cmp)) w.WriteLine("  " + note);
            AccountCompareWriter.Write(cmp, w, markdown, colour);
        }
    }
}
