namespace Pab.Report.Merge;

/// <summary>One run's series of a report row.</summary>
public sealed record RunSeries(RunInfo Run, IReadOnlyList<Series> Series);
