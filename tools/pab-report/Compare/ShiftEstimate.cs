using MathNet.Numerics.Distributions;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;

namespace Pab.Report.Compare;

/// <summary>
/// The change from one side's run summaries to another's: the Hodges–Lehmann estimate (median of all pairwise
/// differences) with its exact distribution-free interval from the Mann–Whitney U distribution (Lehmann 1975;
/// Bauer 1972), and the exact two-sided Mann–Whitney p-value. On the ratio scale both work on logarithms, so a
/// change reads as a percentage of the baseline. Change, Low and High are ratios − 1 or differences in the unit.
/// </summary>
public sealed record ShiftEstimate(ChangeScale Scale, double Change, double Low, double High, double Confidence, double PValue)
{
    /// <summary>The interval lies wholly above (1) or below (−1) no change, or holds it (0).</summary>
    public int Direction => Low > 0 ? 1 : High < 0 ? -1 : 0;

    /// <summary>
    /// The estimate, or null when the sides are too small for any interval at <paramref name="alpha"/>
    /// (the smallest two-sided p-value of n against m runs, 2 / C(n + m, n), is not below alpha).
    /// </summary>
    public static ShiftEstimate? Of(IReadOnlyList<double> baseline, IReadOnlyList<double> other, double alpha, bool ratio = true)
    {
        int n = baseline.Count, m = other.Count;
        int cut = CutPerEnd(n, m, alpha);
        if (cut == 0) return null;
        var scale = ratio && baseline.Concat(other).All(v => v > 0) ? ChangeScale.Ratio : ChangeScale.Difference;
        Func<double, double> f = scale == ChangeScale.Ratio ? Math.Log : v => v;
        var d = new double[n * m];
        int k = 0, above = 0, ties = 0;
        foreach (double y in other)
            foreach (double x in baseline)
            {
                double diff = f(y) - f(x);
                if (diff > 0) above++;
                else if (diff == 0) ties++;
                d[k++] = diff;
            }
        Array.Sort(d);
        double hl = d.Length % 2 == 1 ? d[d.Length / 2] : (d[d.Length / 2 - 1] + d[d.Length / 2]) / 2;
        double lo = d[cut - 1], hi = d[d.Length - cut];
        double confidence = 1 - 2 * Cdf(n, m, cut);
        double u = above + ties / 2.0;
        double p = Math.Min(1, 2 * Math.Min(AtMost(n, m, u), AtMost(n, m, n * m - u)));
        Func<double, double> back = scale == ChangeScale.Ratio ? v => Math.Exp(v) - 1 : v => v;
        return new ShiftEstimate(scale, back(hl), back(lo), back(hi), confidence, p);
    }

    /// <summary>How many ordered differences the interval leaves out at each end (0: no interval is possible).</summary>
    public static int CutPerEnd(int n, int m, double alpha)
    {
        if (n < 1 || m < 1) return 0;
        int c = 0;
        while (c < n * m / 2 && Cdf(n, m, c + 1) <= alpha / 2) c++;
        return c;
    }

    /// <summary>The fewest runs a side needs, both sides alike, for any verdict at <paramref name="alpha"/>.</summary>
    public static int RunsNeeded(double alpha)
    {
        int k = 1;
        while (CutPerEnd(k, k, alpha) == 0) k++;
        return k;
    }

    /// <summary>
    /// The smallest change that n against m runs with this run-to-run spread would find four times in five at
    /// alpha: (t(1 − α/2) + t(0.8)) · s · √(1/n + 1/m), with s the pooled standard deviation of the run summaries
    /// (of their logarithms on the ratio scale), widened by √(π/3) for the rank test's efficiency against the t test.
    /// </summary>
    public static double Detectable(IReadOnlyList<double> baseline, IReadOnlyList<double> other, ChangeScale scale, double alpha)
    {
        int n = baseline.Count, m = other.Count, df = n + m - 2;
        if (n < 2 || m < 2) return double.NaN;
        Func<double, double> f = scale == ChangeScale.Ratio ? Math.Log : v => v;
        double ss = SumSquares(baseline.Select(f).ToArray()) + SumSquares(other.Select(f).ToArray());
        double s = Math.Sqrt(ss / df);
        double t = StudentT.InvCDF(0, 1, df, 1 - alpha / 2) + StudentT.InvCDF(0, 1, df, 0.8);
        double delta = t * s * Math.Sqrt(1.0 / n + 1.0 / m) * Math.Sqrt(Math.PI / 3);
        return scale == ChangeScale.Ratio ? Math.Exp(delta) - 1 : delta;
    }

    private static double SumSquares(double[] v)
    {
        double mean = v.Average();
        return v.Sum(x => (x - mean) * (x - mean));
    }

    // P(U < u) for n and m values without ties: exact while the table is small, else its normal approximation.
    private static double Cdf(int n, int m, int u) =>
        n + m <= 60 ? MannWhitneyClassicExactCdf.Instance.Cdf(n, m, u) : MannWhitneyNormalApproxCdf.Instance.Cdf(n, m, u);

    private static double AtMost(int n, int m, double u) => Cdf(n, m, (int)Math.Floor(u) + 1);
}
