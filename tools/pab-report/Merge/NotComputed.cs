using Pab.Common;

namespace Pab.Report.Merge;

/// <summary>memory_available_diff_bytes was not computed (or not for every iteration) for this run and order, and why.</summary>
public sealed record NotComputed(string Run, int? Order, string Why)
{
    /// <summary>The antagonist's CPU count, in a sweep.</summary>
    public int? Cpus { get; init; }

    public override string ToString() =>
        $"{Metrics.MemoryAvailableDiffBytes}{(Order is int o ? $" order {o}" : "")}{new GroupKey("", null, null, Cpus).CpusText} (run {Run}): not computed: {Why}";
}
