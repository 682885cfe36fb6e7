namespace Pab.Report.Export;

// The input of HtmlReport: what the page shows, already grouped by the report or compare code.

/// <summary>One run's values of one metric and order (its iterations), for a strip plot.</summary>
public sealed record RunPoints(string Side, string Run, IReadOnlyList<double> Values);

/// <summary>A metric at one order: every run's points, grouped by side. Unit as the records name it: "bytes", "ns", "count", "pages_per_s", ...</summary>
public sealed record MetricPanel(string Title, string Unit, IReadOnlyList<RunPoints> Runs);

/// <summary>One run's latency sample (ns), any order; the writer sorts and thins it.</summary>
public sealed record CdfLine(string Side, string Run, IReadOnlyList<double> Values);

public sealed record CdfPanel(string Title, string Unit, IReadOnlyList<CdfLine> Lines);

/// <summary>A table of text cells; RowClasses (same length as Rows, or null) marks rows such as "higher", "lower", "same", "undecided" for colour.</summary>
public sealed record HtmlTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string?>? RowClasses = null);

/// <summary>A whole page: verdicts first, then notes, then one chart per panel. Sides orders the sides (and so their colours); sides it does not name follow in order of first appearance.</summary>
public sealed record HtmlPage(string Title, IReadOnlyList<string> Notes, HtmlTable? Verdicts, IReadOnlyList<MetricPanel> Metrics, IReadOnlyList<CdfPanel> Cdfs, IReadOnlyList<string>? Sides = null);
