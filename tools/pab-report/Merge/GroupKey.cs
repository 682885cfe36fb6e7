using Pab.Common;

namespace Pab.Report.Merge;

/// <summary>What a report row summarises: a metric at one order and label, over all iterations and CPUs.</summary>
public sealed record GroupKey(string Metric, int? Order, string? Label) : IComparable<GroupKey>
{
    public int CompareTo(GroupKey? other)
    {
        if (other is null) return 1;
        int c = MetricRank(Metric).CompareTo(MetricRank(other.Metric));
        if (c == 0) c = string.CompareOrdinal(Metric, other.Metric);
        if (c == 0) c = (Order ?? -1).CompareTo(other.Order ?? -1);
        if (c == 0) c = string.CompareOrdinal(Label, other.Label);
        return c;
    }

    // The original README's order, so reports read like its description.
    private static readonly string[] KnownOrder =
    [
        Metrics.IdleAvailableBytes, Metrics.AntagonizedAvailableBytes, Metrics.MemoryAvailableDiffBytes,
        Metrics.KernelHeldBytes, Metrics.KernelPageAllocs, Metrics.KernelAllocFailures, Metrics.KernelPageAllocsRemote,
        Metrics.KernelPageAllocLatenciesNs, Metrics.KernelPageFreeLatenciesNs,
    ];

    private static int MetricRank(string metric)
    {
        int i = Array.IndexOf(KnownOrder, metric);
        return i < 0 ? KnownOrder.Length : i;
    }

    public override string ToString() =>
        Metric + (Order is int o ? $" order {o}" : "") + (Label is { } l && !Metric.StartsWith(l + "_", StringComparison.Ordinal) ? $" [{l}]" : "");
}
