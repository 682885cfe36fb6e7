namespace Pab.Report.Merge;

// Records rather than tuples: LINQ over value tuples is JIT-compiled at every start (see SeriesKey).

/// <summary>A report row's series, every run's together.</summary>
public sealed record SeriesGroup(GroupKey Key, IReadOnlyList<Series> Series);
