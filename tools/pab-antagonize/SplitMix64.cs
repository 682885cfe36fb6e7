namespace Pab.Antagonize;

/// <summary>
/// SplitMix64: a small, fast generator whose sequence depends only on the seed, never on the .NET
/// version (System.Random makes no such promise), so every worker's pattern is the same from run to run.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound) (Lemire's multiply-shift with rejection, so without modulo bias).</summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound));
        ulong hi = Math.BigMul(Next(), bound, out ulong lo);
        if (lo < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while (lo < threshold)
                hi = Math.BigMul(Next(), bound, out lo);
        }
        return hi;
    }

    /// <summary>A seed for one worker, derived from the run's seed and its CPU so workers differ but stay fixed.</summary>
    public static ulong Derive(ulong seed, int cpu)
    {
        var g = new SplitMix64(seed ^ (0xD1B54A32D192ED03UL * (ulong)(cpu + 1)));
        return g.Next();
    }
}
