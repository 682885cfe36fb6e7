using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>The HTML page of a plain report: one run's records alone or several runs, each run its own colour.</summary>
public static class ReportPage
{
    public static HtmlPage Build(ReportContent report)
    {
        var (data, warnings) = report;
        var notes = data.Runs.Select(r => $"run {r.Id}" + (r.Meta.Select(m => m.Host).FirstOrDefault(h => h != null) is { } h ? ": " + HostText.Describe(h) : ""))
            .Concat(Warning.Grouped(warnings).Select(w => "warning: " + w)).ToList();
        var panels = new List<MetricPanel>();
        foreach (var (key, runs) in data.GroupsByRun())
        {
            if (runs.Any(r => r.Series.Any(s => s.IsSamples))) continue;
            panels.Add(new MetricPanel(key.ToString(), runs[0].Series[0].Unit,
                runs.Select(r => new RunPoints(r.Run.Id, r.Run.Id, Summary.Values(r.Series))).ToList()));
        }
        var account = new List<MetricPanel>();
        foreach (var (key, runs) in data.AccountGroupsByRun())
            if (Pab.Common.Kernel.AccountMetrics.TrySplit(key.Metric, out _, out string name) && KernelAccount.IsHeadline(name))
                account.Add(new MetricPanel(key.ToString(), runs[0].Series[0].Unit,
                    runs.Select(r => new RunPoints(r.Run.Id, r.Run.Id, Summary.Values(r.Series))).ToList()));
        return new HtmlPage($"page-alloc-bench results: {data.Runs.Count} run(s)", notes, null, panels, CdfPanels.Of([("", data, true)]))
        {
            FreeBlocks = FreeBlocksPanel.Of([("", KernelAccount.Of(data))]),
            AccountMetrics = account,
            Sweep = SweepPanel.Of([(data.Runs.Count == 1 ? "run" : $"{data.Runs.Count} runs pooled", data)]),
        };
    }
}
