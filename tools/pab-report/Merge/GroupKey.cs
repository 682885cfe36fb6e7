using Pab.Common;

namespace Pab.Report.Merge;

/// <summary>
/// What a report row summarises: a metric at one order and label (and, in a CPU-count sweep, the antagonist's
/// CPU count), over all iterations and CPUs.
/// </summary>
public sealed record GroupKey(string Metric, int? Order, string? Label, int? Cpus = null) : IComparable<GroupKey>
{
    public int CompareTo(GroupKey? other)
    {
        if (other is null) return 1;
        int c = MetricRank(Metric).CompareTo(MetricRank(other.Metric));
        if (c == 0) c = string.CompareOrdinal(Metric, other.Metric);
        if (c == 0) c = (Order ?? -1).CompareTo(other.Order ?? -1);
        if (c == 0) c = (Cpus ?? 0).CompareTo(other.Cpus ?? 0);
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
        Metric + (Order is int o ? $" order {o}" : "") + CpusText + (Label is { } l && !Metric.StartsWith(l + "_", StringComparison.Ordinal) ? $" [{l}]" : "");

    /// <summary>" at N CPUs" in a sweep, else nothing: appended to a metric's name where a row is shown.</summary>
    public string CpusText => Cpus is int n ? $" at {n} CPU{(n == 1 ? "" : "s")}" : "";
}
