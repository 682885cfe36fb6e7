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
        _random = new SplitMix64(seed);
    }

    public int Capacity => _values.Length;
    /// <summary>Values offered so far (the population the sample stands for).</summary>
    public long Seen { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long value)
    {
        long n = Seen++;
        if (n < _values.Length)
        {
            _values[n] = value;
            return;
        }
        if (_values.Length == 0) return;
        ulong slot = _random.NextBelow((ulong)n + 1);
        if (slot < (ulong)_values.Length) _values[slot] = value;
    }

    /// <summary>Offers every entry's latency, as Add(long) each would, with the counter and generator in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<PabBatchEntry> entries)
    {
        long[] values = _values;
        long n = Seen;
        SplitMix64 random = _random;
        foreach (ref readonly PabBatchEntry e in entries)
        {
            if (n < values.Length)
            {
                values[n] = e.LatencyNs;
            }
            else if (values.Length > 0)
            {
                ulong slot = random.NextBelow((ulong)n + 1);
                if (slot < (ulong)values.Length) values[slot] = e.LatencyNs;
            }
            n++;
        }
        Seen = n;
        _random = random;
    }

    /// <summary>The sample: every value while fewer than Capacity were seen, else Capacity of them.</summary>
    public ReadOnlySpan<long> Sample => _values.AsSpan(0, (int)Math.Min(Seen, _values.Length));
}
