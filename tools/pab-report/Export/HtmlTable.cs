namespace Pab.Report.Export;

/// <summary>A table of text cells; RowClasses (same length as Rows, or null) marks rows such as "higher", "lower", "same", "undecided" for colour.</summary>
public sealed record HtmlTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string?>? RowClasses = null);
