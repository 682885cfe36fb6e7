namespace Pab.Report.Input;

/// <summary>
/// Values of one record, kept as 32-bit integers when they all fit (latencies in ns nearly always do),
/// which halves the memory a large run needs without changing any number.
/// </summary>
public sealed class ValueChunk
{
    private readonly int[]? _ints;
    private readonly long[]? _longs;

    private ValueChunk(int[]? ints, long[]? longs)
    {
        _ints = ints;
        _longs = longs;
    }

    public static ValueChunk Of(ReadOnlySpan<long> values)
    {
        bool fits = true;
        foreach (long v in values)
            if (v < int.MinValue || v > int.MaxValue) { fits = false; break; }
        if (!fits) return new ValueChunk(null, values.ToArray());
        var ints = new int[values.Length];
        for (int i = 0; i < ints.Length; i++) ints[i] = (int)values[i];
        return new ValueChunk(ints, null);
    }

    public static ValueChunk Single(long value) => Of([value]);

    public int Count => _ints?.Length ?? _longs!.Length;

    public long this[int i] => _ints != null ? _ints[i] : _longs![i];

    public long[] ToArray()
    {
        if (_longs != null) return (long[])_longs.Clone();
        var a = new long[_ints!.Length];
        for (int i = 0; i < a.Length; i++) a[i] = _ints[i];
        return a;
    }

    public bool SameAs(ValueChunk other)
    {
        if (other.Count != Count) return false;
        for (int i = 0; i < Count; i++) if (this[i] != other[i]) return false;
        return true;
    }

    /// <summary>Copies the values as doubles into <paramref name="target"/> at <paramref name="offset"/>.</summary>
    public void CopyTo(double[] target, int offset)
    {
        if (_ints != null) for (int i = 0; i < _ints.Length; i++) target[offset + i] = _ints[i];
        else for (int i = 0; i < _longs!.Length; i++) target[offset + i] = _longs[i];
    }
}
