namespace Pab.Antagonize;

/// <summary>
/// The antagonist's held-count targets: alternately an allocation target drawn uniformly from
/// [middle, middle + spread] and a free target drawn uniformly from [max(0, middle - spread), middle]
/// (together: middle ± spread, as the original's 1000 ± 1000). Every phase therefore crosses the middle,
/// which is what steady state waits for.
/// </summary>
public struct TargetPattern
{
    private SplitMix64 _random;
    private bool _up = true;

    public TargetPattern(ulong seed, int middle, int spread)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(middle, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(spread);
        _random = new SplitMix64(seed);
        Middle = middle;
        Spread = spread;
    }

    public int Middle { get; }
    public int Spread { get; }
    public readonly int Low => Math.Max(0, Middle - Spread);
    public readonly int High => Middle + Spread;

    /// <summary>Next target: the first is an allocation target, then free and allocation targets alternate.</summary>
    public int Next()
    {
        bool up = _up;
        _up = !up;
        return up
            ? Middle + (int)_random.NextBelow((ulong)Spread + 1)
            : Low + (int)_random.NextBelow((ulong)(Middle - Low) + 1);
    }
}
