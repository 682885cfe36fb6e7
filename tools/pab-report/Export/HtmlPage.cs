namespace Pab.Report.Export;

/// <summary>A whole page: verdicts first, then notes, then one chart per panel. Sides orders the sides (and so their colours); sides it does not name follow in order of first appearance.</summary>
public sealed record HtmlPage(string Title, IReadOnlyList<string> Notes, HtmlTable? Verdicts, IReadOnlyList<MetricPanel> Metrics, IReadOnlyList<CdfPanel> Cdfs, IReadOnlyList<string>? Sides = null);
