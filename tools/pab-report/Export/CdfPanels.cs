using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>The latency CDFs of an HTML page, for the report's and compare's pages alike.</summary>
internal static class CdfPanels
{
    /// <summary>Per latency metric and order, one line per run of every side (a side that is a run is named after it).</summary>
    public static List<CdfPanel> Of(IReadOnlyList<(string Side, MergedData Data, bool SideIsRun)> sides)
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
}
