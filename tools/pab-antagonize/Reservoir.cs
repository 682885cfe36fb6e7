using System.Runtime.CompilerServices;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// A uniform random sample of at most Capacity values from a stream of unknown length (Vitter's
/// algorithm R): the n-th value replaces a random slot with probability Capacity/n. One integer random
/// draw per value past the first Capacity. Algorithm L draws fewer numbers but needs logarithms and
/// exponentials for each replacement; under TCG those are emulated floating point and made latency
/// recording cost a fifth of the antagonist's CPU, against a few integer instructions here.
/// Storage is allocated once; Add never allocates.
/// </summary>
public sealed class Reservoir
{
    private readonly long[] _values;
    private SplitMix64 _random;

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
    public long Seen { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long value) => Offer(_values, ref _random, Seen++, value);

    /// <summary>Offers every entry's latency, as Add(long) each would, with the counter and generator in registers.</summary>
    public void Add(ReadOnlySpan<PabBatchEntry> entries)
    {
        long n = Seen;
        SplitMix64 random = _random;
        foreach (ref readonly PabBatchEntry e in entries)
            Offer(_values, ref random, n++, e.LatencyNs);
        Seen = n;
        _random = random;
    }

    // Algorithm R for the n-th value (from 0), for both Add overloads.
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

    /// <summary>The sample: every value while fewer than Capacity were seen, else Capacity of them.</summary>
    public ReadOnlySpan<long> Sample => _values.AsSpan(0, (int)Math.Min(Seen, _values.Length));
}
