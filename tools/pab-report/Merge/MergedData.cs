using Pab.Common;
using Pab.Common.Kernel;
using Pab.Report.Input;

namespace Pab.Report.Merge;

/// <summary>The merged data every output format is written from.</summary>
public sealed class MergedData(
    IReadOnlyList<Series> measured, IReadOnlyList<Series> derived, IReadOnlyList<RunInfo> runs, IReadOnlyList<Record> events,
    IReadOnlyList<Replacement> replacements, IReadOnlyList<InputProblem> problems, KeepPolicy keep)
{
    /// <summary>Series as read and merged.</summary>
    public IReadOnlyList<Series> Measured { get; } = measured;
    /// <summary>Series pab-report computed (memory_available_diff_bytes).</summary>
    public IReadOnlyList<Series> Derived { get; } = derived;
    public IReadOnlyList<RunInfo> Runs { get; } = runs;
    public IReadOnlyList<Record> Events { get; } = events;
    public IReadOnlyList<Replacement> Replacements { get; } = replacements;
    public IReadOnlyList<InputProblem> Problems { get; } = problems;
    public KeepPolicy Keep { get; } = keep;

    /// <summary>Records read again unchanged (a file given twice), merged once.</summary>
    public IReadOnlyList<Duplicate> Duplicates { get; init; } = [];
    /// <summary>Where memory_available_diff_bytes could not be computed, and why.</summary>
    public IReadOnlyList<NotComputed> NotComputed { get; init; } = [];
    public long RecordsRead { get; init; }
    public long RecordsReplaced { get; init; }
    public long RecordsDuplicate { get; init; }
    public long RecordsRejected { get; init; }
    public long LinesTruncated { get; init; }
    public long RecordsKept => RecordsRead - RecordsReplaced - RecordsDuplicate - RecordsRejected;

    public IEnumerable<Series> AllSeries => Measured.Concat(Derived)
        .OrderBy(s => s.Key.Group).ThenBy(s => s.Owner.Sequence).ThenBy(s => s.Key.Iteration ?? -1);

    /// <summary>Series grouped into report rows, in report order: every run's values of a row together. The kernel's account is apart (<see cref="AccountGroups"/>).</summary>
    public IReadOnlyList<SeriesGroup> Groups() => GroupsWhere(account: false);

    /// <summary>The kernel's account of each phase (/proc/vmstat deltas, free lists), grouped as <see cref="Groups"/>.</summary>
    public IReadOnlyList<SeriesGroup> AccountGroups() => GroupsWhere(account: true);

    private List<SeriesGroup> GroupsWhere(bool account) =>
        AllSeries.Where(s => AccountMetrics.TrySplit(s.Key.Metric, out _, out _) == account)
            .GroupBy(s => s.Key.Group).OrderBy(g => g.Key)
            .Select(g => new SeriesGroup(g.Key, g.ToList())).ToList();

    /// <summary>Each report row's series split by run, the runs in input order.</summary>
    public IReadOnlyList<RunGroup> GroupsByRun() => ByRun(Groups());

    /// <summary>The kernel's account split by run, as <see cref="GroupsByRun"/>.</summary>
    public IReadOnlyList<RunGroup> AccountGroupsByRun() => ByRun(AccountGroups());

    private static List<RunGroup> ByRun(IReadOnlyList<SeriesGroup> groups) =>
        groups.Select(g => new RunGroup(g.Key, g.Series.GroupBy(s => s.Owner)
            .OrderBy(r => r.Key.Sequence).Select(r => new RunSeries(r.Key, r.ToList())).ToList())).ToList();

    public static MergedData Read(IEnumerable<InputSource> sources, KeepPolicy keep = KeepPolicy.Latest)
    {
        var merger = new Merger(keep);
        merger.ReadAll(sources);
        return merger.Finish();
    }
}
