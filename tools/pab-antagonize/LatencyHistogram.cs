using System.Numerics;
using System.Runtime.CompilerServices;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// Counts every latency in a log-linear (HDR-style) histogram of exact integer counters, so percentiles
/// cover every operation, not a sample. Values below 2^SubBucketBits ns (1024 ns) have a bucket each and are
/// exact; above, each power of two is cut into 2^SubBucketBits equal buckets, so a bucket is at most
/// 1/1024 of its lower edge wide. A percentile is reported as the upper edge of the bucket holding that
/// order statistic (clamped to the exact min and max): never below the true value and at most 0.1 % above it.
/// Why not one bucket per nanosecond: latencies run from ~100 ns to tens of ms under reclaim, which would need
/// ~10^8 counters per CPU; keeping every value would grow with the run and allocate in the hot loop.
/// This needs 31 × 1024 counters (248 KiB) per histogram, fixed, up to 2^40 ns (18 min; beyond is clamped).
/// The workers do not each hold one: <see cref="LatencyRecorder"/> keeps a CPU's fast buckets and adds
/// slow values to one histogram the order's CPUs share.
/// </summary>
public sealed class LatencyHistogram
{
    public const int SubBucketBits = 10;
    public const int MaxExponent = 40;
    private const long SubBuckets = 1L << SubBucketBits;
    private const long MaxTracked = (1L << MaxExponent) - 1;

    /// <summary>Largest relative amount a reported percentile can exceed the true one by.</summary>
    public const double RelativePrecision = 1.0 / SubBuckets;

    private readonly long[] _counts = new long[(MaxExponent - SubBucketBits + 1) * SubBuckets];

    private long _sum, _min = long.MaxValue, _max = long.MinValue;

    // Written once now, so its pages are resident before any phase is measured, not during one.
    public LatencyHistogram() => _counts.AsSpan().Clear();

    public long Count { get; private set; }
    public long Sum => _sum;
    public long Min => _min;
    public long Max => _max;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long value)
    {
        Tally(_counts, value, ref _sum, ref _min, ref _max);
        Count++;
    }

    /// <summary>Records every entry's latency, as Record(long) each would; the totals stay in registers.</summary>
    public void Record(ReadOnlySpan<PabBatchEntry> entries)
    {
        long sum = _sum, min = _min, max = _max;
        foreach (ref readonly PabBatchEntry e in entries)
            Tally(_counts, e.LatencyNs, ref sum, ref min, ref max);
        Count += entries.Length;
        _sum = sum;
        _min = min;
        _max = max;
    }

    // The one rule for a value, for both Record overloads.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tally(long[] counts, long value, ref long sum, ref long min, ref long max)
    {
        if (value < 0) value = 0;
        counts[Index(value)]++;
        sum += value;
        if (value < min) min = value;
        if (value > max) max = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Index(long value)
    {
        if (value > MaxTracked) value = MaxTracked;
        if (value < SubBuckets) return (int)value;
        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = exponent - SubBucketBits;
        long top = value >> shift; // in [SubBuckets, 2 * SubBuckets)
        return (int)((shift + 1) * SubBuckets + (top - SubBuckets));
    }

    /// <summary>Lowest and highest value a bucket holds.</summary>
    public static (long Low, long High) Bounds(int index)
    {
        if (index < SubBuckets) return (index, index);
        int shift = (int)(index / SubBuckets) - 1;
        long top = index % SubBuckets + SubBuckets;
        return (top << shift, ((top + 1) << shift) - 1);
    }

    /// <summary>Counts one value of bucket <paramref name="index"/> with an atomic add, for writers on several CPUs (counts only: no totals).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountShared(int index) => Interlocked.Increment(ref _counts[index]);

    /// <summary>Adds buckets 0 to counts.Length - 1 and the totals of the values they hold (a CPU's part, see <see cref="LatencyRecorder"/>).</summary>
    public void Add(ReadOnlySpan<long> counts, long count, long sum, long min, long max)
    {
        for (int i = 0; i < counts.Length; i++) _counts[i] += counts[i];
        Count += count;
        _sum += sum;
        if (count > 0)
        {
            _min = Math.Min(_min, min);
            _max = Math.Max(_max, max);
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        _sum += other.Sum;
        if (other.Count > 0)
        {
            _min = Math.Min(_min, other.Min);
            _max = Math.Max(_max, other.Max);
        }
    }

    /// <summary>
    /// The q-quantile (0 &lt; q ≤ 1): the value of rank ceil(q·Count) in sorted order, to within the bucket
    /// precision described above. 0 when empty.
    /// </summary>
    public long Percentile(double q)
    {
        if (Count == 0) return 0;
        if (q >= 1) return Max;
        long rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return Math.Clamp(Bounds(i).High, Min, Max);
        }
        return Max;
    }

    public double Mean => Count == 0 ? 0 : (double)Sum / Count;
}
