using Pab.Common;
using Pab.Report.Merge;
using Pab.Report.Summaries;
using Pab.Report.Compare;

namespace Pab.Report.Export;

/// <summary>The HTML page of a comparison or of a plain report: the table, then every run's values and latency CDFs.</summary>
public static class ComparePage
{
    public static HtmlPage Build(Comparison cmp, IReadOnlyList<MergedData> sides)
    {
        var cells = CompareWriter.Cells(cmp);
        var table = new HtmlTable(CompareWriter.Header, cells.Select(c => (IReadOnlyList<string>)c.Cells).ToList(),
            cells.Select(c => c.Baseline ? null : Class(c.Verdict)).ToList());
        var notes = cmp.SideInfo.Concat(CompareWriter.Notes(cmp)).ToList();
        var panels = new List<MetricPanel>();
        foreach (var row in cmp.Rows)
        {
            var points = new List<RunPoints>();
            for (int i = 0; i < cmp.SideNames.Count; i++)
                if (cmp.PerSide[i].GetValueOrDefault(row.Key) is { } runs)
                    points.AddRange(runs.Runs.Select(r => new RunPoints(cmp.SideNames[i], r.Run.Id, r.Within)));
            panels.Add(new MetricPanel(row.Key.ToString(), row.Unit, points));
        }
        var cdfs = Cdfs(sides.Select((d, i) => (cmp.SideNames[i], d, false)).ToList());
        return new HtmlPage("page-alloc-bench comparison: " + string.Join(" vs ", cmp.SideNames), notes, table, panels, cdfs, cmp.SideNames);
    }

    /// <summary>One run's records alone or several runs: each run is its own colour.</summary>
    public static HtmlPage Build(MergedData data, IReadOnlyList<Warning> warnings)
    {
        var notes = data.Runs.Select(r => $"run {r.Id}" + (r.Meta.Select(m => m.Host).FirstOrDefault(h => h != null) is { } h ? ": " + HostText.Describe(h) : ""))
            .Concat(Warning.Grouped(warnings).Select(w => "warning: " + w)).ToList();
        var panels = new List<MetricPanel>();
        foreach (var (key, runs) in data.GroupsByRun())
        {
            if (runs.Any(r => r.Series.Any(s => s.IsSamples))) continue;
            panels.Add(new MetricPanel(key.ToString(), runs[0].Series[0].Unit,
                runs.Select(r => new RunPoints(r.Run.Id, r.Run.Id, Summary.Values(r.Series))).ToList()));
        }
        return new HtmlPage($"page-alloc-bench results: {data.Runs.Count} run(s)", notes, null, panels, Cdfs([("", data, true)]));
    }

    // Per latency metric and order, one line per run of every side.
    private static List<CdfPanel> Cdfs(IReadOnlyList<(string Side, MergedData Data, bool SideIsRun)> sides)
    {
        var panels = new Dictionary<GroupKey, (string Unit, List<CdfLine> Lines)>();
        foreach (var (side, data, sideIsRun) in sides)
            foreach (var (key, runs) in data.GroupsByRun())
            {
                if (!runs.Any(r => r.Series.Any(s => s.IsSamples))) continue;
                if (!panels.TryGetValue(key, out var panel)) panels[key] = panel = (runs[0].Series[0].Unit, []);
                panel.Lines.AddRange(runs.Select(r => new CdfLine(sideIsRun ? r.Run.Id : side, r.Run.Id, Summary.Values(r.Series))));
            }
        return panels.OrderBy(p => p.Key).Select(p => new CdfPanel(p.Key.ToString(), p.Value.Unit, p.Value.Lines)).ToList();
    }

    private static string? Class(Verdict v) => v switch
    {
        Verdict.Higher => "higher",
        Verdict.Lower => "lower",
        Verdict.NoChangeDetected => "same",
        Verdict.TooFewRuns or Verdict.OneRun => "undecided",
        _ => null,
    };
}
