using System.Runtime.CompilerServices;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// A uniform random sample of at most Capacity values from a stream of unknown length (Vitter's
/// algorithm R): the n-th value replaces a random slot with probability Capacity/n. One integer random
/// draw per value past the first Capacity. Algorithm L draws fewer numbers but needs logarithms and
/// exponentials for each replacement; under TCG those are emulated floating point and made latency
/// recording cost a fifth of the antagonist's CPU, against a few integer instructions here.
/// One reservoir serves every CPU of an order, so its memory does not grow with the CPU count: a batch
/// reserves its positions in the stream with one atomic add, and each writer draws with its own
/// generator. Two CPUs that pick the same slot at the same moment may land in either order; that is
/// the only departure from the sequential algorithm, and it does not depend on the values.
/// Storage is allocated once; Add never allocates.
/// </summary>
public sealed class Reservoir
{
    private readonly long[] _values;
    private SplitMix64 _random;
    private long _seen;

    public Reservoir(int capacity, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _values = new long[capacity];
        // Written once now, so the pages are resident before any phase is measured, not during one.
        _values.AsSpan().Clear();
        _random = new SplitMix64(seed);
    }

    public int Capacity => _values.Length;
    /// <summary>Values offered so far (the population the sample stands for).</summary>
    public long Seen => Volatile.Read(ref _seen);

    /// <summary>One value, drawn with the reservoir's own generator (one writer only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long value) => Offer(_values, ref _random, _seen++, value);

    /// <summary>Offers every entry's latency with the reservoir's own generator (one writer only).</summary>
    public void Add(ReadOnlySpan<PabBatchEntry> entries) => Add(entries, ref _random);

    /// <summary>
    /// Offers every entry's latency, as Add(long) each would, drawing with <paramref name="random"/>
    /// (the caller's own): safe while other threads add with theirs.
    /// </summary>
    public void Add(ReadOnlySpan<PabBatchEntry> entries, ref SplitMix64 random)
    {
        if (entries.IsEmpty) return;
        long n = Interlocked.Add(ref _seen, entries.Length) - entries.Length;
        SplitMix64 local = random;
        foreach (ref readonly PabBatchEntry e in entries)
            Offer(_values, ref local, n++, e.LatencyNs);
        random = local;
    }

    // Algorithm R for the n-th value (from 0), for every Add.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(long[] values, ref SplitMix64 random, long n, long value)
    {
        if (n < values.Length)
        {
            values[n] = value;
        }
        else if (values.Length > 0)
        {
            ulong slot = random.NextBelow((ulong)n + 1);
            if (slot < (ulong)values.Length) values[slot] = value;
        }
    }

    /// <summary>The sample: every value while fewer than Capacity were seen, else Capacity of them. Read once the writers have ended.</summary>
    public ReadOnlySpan<long> Sample => _values.AsSpan(0, (int)Math.Min(Seen, _values.Length));
}
