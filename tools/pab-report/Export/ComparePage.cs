using Pab.Report.Compare;

namespace Pab.Report.Export;

/// <summary>The HTML page of a comparison: the verdict table, the notes, then every run's values and latency CDFs.</summary>
public static class ComparePage
{
    public static HtmlPage Build(CompareContent content)
    {
        var (cmp, sides) = content;
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
        var cdfs = CdfPanels.Of(sides.Select((d, i) => (cmp.SideNames[i], d, false)).ToList());
        var account = cmp.AccountRows.Select(row => new MetricPanel(row.Key.ToString(), row.Unit,
            row.Sides.Where(s => s.Row != null).SelectMany(s => s.Row!.Runs.Select(r => new RunPoints(s.Name, r.Run.Id, r.Within))).ToList())).ToList();
        return new HtmlPage("page-alloc-bench comparison: " + string.Join(" vs ", cmp.SideNames), notes, table, panels, cdfs, cmp.SideNames)
        {
            FreeBlocks = FreeBlocksPanel.Of(sides.Select((d, i) => (cmp.SideNames[i], Pab.Report.Summaries.KernelAccount.Of(d))).ToList()),
            AccountMetrics = account,
            Sweep = SweepPanel.Of(sides.Select((d, i) => (cmp.SideNames[i], d)).ToList()),
        };
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
