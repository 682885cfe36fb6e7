using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// One CPU's part of an order's latency histogram. Values below 2^LocalExponent ns (65.5 µs), nearly
/// every call, are counted in the CPU's own buckets (56 KiB); slower ones in the buckets every CPU of
/// the order shares, with an atomic add, whose cost is small beside a call that took that long. So the
/// memory per CPU is fixed and small, and the merged histogram still counts every operation exactly as
/// one <see cref="LatencyHistogram"/> would. Not thread-safe: one thread records, others read after it ends.
/// </summary>
public sealed class LatencyRecorder
{
    public const int LocalExponent = 16;
    /// <summary>Buckets counted per CPU: every index below that of 2^LocalExponent ns.</summary>
    public static readonly int LocalBuckets = LatencyHistogram.Index(1L << LocalExponent);

    // Pinned: never copied by a collection, so its pages are touched once (it is per CPU).
    private readonly long[] _local = GC.AllocateArray<long>(LocalBuckets, pinned: true);
    private readonly LatencyHistogram _shared;
    private long _sum, _min = long.MaxValue, _max = long.MinValue;

    /// <param name="shared">The order's histogram for slow values, shared by its CPUs.</param>
    public LatencyRecorder(LatencyHistogram shared)
    {
        _shared = shared;
        // Written once now, so its pages are resident before any phase is measured, not during one.
        _local.AsSpan().Clear();
    }

    public long Count { get; private set; }

    /// <summary>Records every entry's latency; the totals stay in registers.</summary>
    public void Record(ReadOnlySpan<PabBatchEntry> entries)
    {
        long sum = _sum, min = _min, max = _max;
        long[] local = _local;
        foreach (ref readonly PabBatchEntry e in entries)
        {
            long value = e.LatencyNs < 0 ? 0 : e.LatencyNs;
            int index = LatencyHistogram.Index(value);
            if (index < local.Length) local[index]++;
            else _shared.CountShared(index);
            sum += value;
            if (value < min) min = value;
            if (value > max) max = value;
        }
        Count += entries.Length;
        _sum = sum;
        _min = min;
        _max = max;
    }

    /// <summary>Adds this CPU's buckets and totals to <paramref name="total"/> (the shared buckets are added once, by the caller).</summary>
    public void AddTo(LatencyHistogram total) => total.Add(_local, Count, _sum, _min, _max);

    /// <summary>This CPU's values alone, when no other CPU shares its slow buckets (tests, a single worker).</summary>
    public LatencyHistogram Alone()
    {
        var h = new LatencyHistogram();
        h.Add(_shared);
        AddTo(h);
        return h;
    }
}
