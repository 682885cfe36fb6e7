namespace Pab.Report.Export;

/// <summary>A metric at one order: every run's points, grouped by side. Unit as the records name it: "bytes", "ns", "count", "pages_per_s", ...</summary>
public sealed record MetricPanel(string Title, string Unit, IReadOnlyList<RunPoints> Runs);
