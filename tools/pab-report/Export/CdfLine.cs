namespace Pab.Report.Export;

/// <summary>One run's latency sample (ns), any order; the writer sorts and thins it.</summary>
public sealed record CdfLine(string Side, string Run, IReadOnlyList<double> Values);
