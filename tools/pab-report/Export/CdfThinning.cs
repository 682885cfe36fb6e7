namespace Pab.Report.Export;

/// <summary>Reduces a latency sample to at most a few hundred points of its empirical CDF.</summary>
public static class CdfThinning
{
    /// <summary>Points of the body, evenly spaced in probability.</summary>
    public const int BodyPoints = 300;

    /// <summary>Points of the upper tail (p99 onwards), evenly spaced in log(1 - p), where latency problems show.</summary>
    public const int TailPoints = 100;

    /// <summary>(value, fraction of values ≤ it) pairs, in order; values that are not finite and positive are left out (the axis is logarithmic).</summary>
    public static (double X, double Y)[] Points(IReadOnlyList<double> values)
    {
        var sorted = values.Where(v => double.IsFinite(v) && v > 0).ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        if (n == 0) return [];
        var indexes = new SortedSet<int>();
        if (n <= BodyPoints + TailPoints)
            for (int i = 0; i < n; i++) indexes.Add(i);
        else
        {
            for (int k = 0; k < BodyPoints; k++)
                indexes.Add((int)Math.Round((double)k * (n - 1) / (BodyPoints - 1)));
            // 1 - p from 1e-2 down to 1/n: the tail gets its own points instead of the two or three an even spacing leaves it.
            double lo = Math.Log10(1.0 / n), hi = -2;
            if (lo < hi)
                for (int k = 0; k < TailPoints; k++)
                {
                    double q = Math.Pow(10, hi + (lo - hi) * k / (TailPoints - 1));
                    indexes.Add(Math.Clamp((int)Math.Ceiling((1 - q) * n) - 1, 0, n - 1));
                }
        }
        return indexes.Select(i => (sorted[i], (i + 1) / (double)n)).ToArray();
    }
}
