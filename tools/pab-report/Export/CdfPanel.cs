namespace Pab.Report.Export;

public sealed record CdfPanel(string Title, string Unit, IReadOnlyList<CdfLine> Lines);
