namespace Pab.Report.Export;

/// <summary>A whole page: verdicts first, then notes, then one chart per panel. Sides orders the sides (and so their colours); sides it does not name follow in order of first appearance.</summary>
public sealed record HtmlPage(string Title, IReadOnlyList<string> Notes, HtmlTable? Verdicts, IReadOnlyList<MetricPanel> Metrics, IReadOnlyList<CdfPanel> Cdfs, IReadOnlyList<string>? Sides = null)
{
    /// <summary>The kernel's account: free memory by block order per order, and its counters' run values.</summary>
    public IReadOnlyList<FreeBlocksPanel> FreeBlocks { get; init; } = [];
    public IReadOnlyList<MetricPanel> AccountMetrics { get; init; } = [];
    /// <summary>A CPU-count sweep's curves (empty without one).</summary>
    public IReadOnlyList<SweepPanel> Sweep { get; init; } = [];
}
