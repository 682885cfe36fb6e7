namespace Pab.Antagonize;

/// <summary>
/// What an order's workers record latencies into together: one uniform sample per kind, and the
/// histograms' slow buckets. Fixed in size, whatever the CPU count.
/// </summary>
public sealed class OrderLatencies(int samples, ulong seed)
{
    public Reservoir AllocSample { get; } = new(samples, SplitMix64.Derive(seed ^ 0xA110C, -1));
    public Reservoir FreeSample { get; } = new(samples, SplitMix64.Derive(seed ^ 0xF4EE, -1));
    public LatencyHistogram AllocSlow { get; } = new();
    public LatencyHistogram FreeSlow { get; } = new();
    /// <summary>--bulk: whole calls' slow buckets.</summary>
    public LatencyHistogram BulkCallSlow { get; } = new();
}
