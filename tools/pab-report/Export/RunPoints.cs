namespace Pab.Report.Export;

// The input of HtmlReport: what the page shows, already grouped by the report or compare code.

/// <summary>One run's values of one metric and order (its iterations), for a strip plot.</summary>
public sealed record RunPoints(string Side, string Run, IReadOnlyList<double> Values);
