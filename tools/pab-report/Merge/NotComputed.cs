using Pab.Common;

namespace Pab.Report.Merge;

/// <summary>memory_available_diff_bytes was not computed (or not for every iteration) for this run and order, and why.</summary>
public sealed record NotComputed(string Run, int? Order, string Why)
{
    public override string ToString() =>
        $"{Metrics.MemoryAvailableDiffBytes}{(Order is int o ? $" order {o}" : "")} (run {Run}): not computed: {Why}";
}
