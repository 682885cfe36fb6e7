namespace Pab.Report.Merge;

/// <summary>A report row's series, every run's together.</summary>
public sealed record SeriesGroup(GroupKey Key, IReadOnlyList<Series> Series);
