using System.Runtime.CompilerServices;

namespace Pab.Antagonize;

/// <summary>
/// A uniform random sample of at most Capacity values from a stream of unknown length. Li's algorithm L:
/// the same distribution as Vitter's algorithm R (every value kept with probability Capacity/n), but it
/// draws how many values to skip before the next replacement, so the common case is one decrement and
/// random numbers are needed only about Capacity·ln(n/Capacity) times. Storage is allocated once; Add never allocates.
/// </summary>
public sealed class Reservoir
{
    private readonly long[] _values;
    private SplitMix64 _random;
    private double _w;     // algorithm L's running maximum weight
    private long _next;    // Seen count at which the next value is taken

    public Reservoir(int capacity, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _values = new long[capacity];
        _random = new SplitMix64(seed);
        if (capacity > 0)
        {
            _w = Math.Exp(Math.Log(_random.NextOpenUnit()) / capacity);
            _next = capacity + Skip();
        }
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
        if (n == _next && _values.Length > 0) Replace(value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Replace(long value)
    {
        _values[_random.NextBelow((ulong)_values.Length)] = value;
        _w *= Math.Exp(Math.Log(_random.NextOpenUnit()) / _values.Length);
        _next += Skip() + 1;
    }

    // Values to pass over before the next one is taken: geometric with success probability 1 - w.
    private long Skip()
    {
        double skip = Math.Floor(Math.Log(_random.NextOpenUnit()) / Math.Log(1 - _w));
        return double.IsFinite(skip) && skip < long.MaxValue / 4 ? (long)skip : long.MaxValue / 4;
    }

    /// <summary>The sample: every value while fewer than Capacity were seen, else Capacity of them.</summary>
    public ReadOnlySpan<long> Sample => _values.AsSpan(0, (int)Math.Min(Seen, _values.Length));
}
