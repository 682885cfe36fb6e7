namespace Pab.Report.Merge;

/// <summary>A report row's series split by run, the runs in input order.</summary>
public sealed record RunGroup(GroupKey Key, IReadOnlyList<RunSeries> Runs);
