using MathNet.Numerics.Distributions;
using Pab.Common;
using Pab.Report;
using static Pab.Tests.Report.ReportTestData;

namespace Pab.Tests.Report;

public class CompareTests
{
    // Available bytes of 10 iterations: ~900 MB with 1 % noise.
    private static long[] Draw(int seed, int n, double mean, double cv = 0.01)
    {
        var normal = new Normal(mean, mean * cv, new Random(seed));
        return Enumerable.Range(0, n).Select(_ => (long)normal.Sample()).ToArray();
    }

    private static InputSource Run(string name, string run, long[] iterations, string metric = Metrics.AntagonizedAvailableBytes) =>
        Source(name, iterations.Select((v, i) => Metric(run, metric, v, 0, i)).ToArray());

    private static Comparison Compare(params InputSource[] sides) =>
        Comparison.Run(sides.Select(s => Merge(s)).ToList(), sides.Select(s => s.Name).ToList(), 0.05, 0.01);

    [Fact]
    public void FivePercentShiftInTenSamplesIsSignificant()
    {
        var cmp = Compare(Run("base", "A", Draw(1, 10, 900e6)), Run("new", "B", Draw(2, 10, 900e6 * 0.95)));
        var side = cmp.Rows.Single().Sides[1];
        Assert.Equal(Verdict.SignificantlyLower, side.Verdict);
        Assert.InRange(side.Change, -0.07, -0.03);
        Assert.True(side.PValue < 0.01);

        var up = Compare(Run("base", "A", Draw(3, 10, 900e6)), Run("new", "B", Draw(4, 10, 900e6 * 1.05))).Rows.Single().Sides[1];
        Assert.Equal(Verdict.SignificantlyHigher, up.Verdict);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void AaDrawIsNoSignificantChange(int seed)
    {
        var cmp = Compare(Run("a1", "A", Draw(seed, 10, 900e6)), Run("a2", "B", Draw(seed + 100, 10, 900e6)));
        Assert.Equal(Verdict.NoSignificantChange, cmp.Rows.Single().Sides[1].Verdict);
    }

    [Fact]
    public void AaFalsePositiveRateStaysNearAlpha()
    {
        // Over many A/A draws the test flags about alpha of them, never most: it is a real test, not a threshold.
        int flagged = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var x = Draw(1000 + seed, 10, 1e6, cv: 0.05).Select(v => (double)v).ToArray();
            var y = Draw(5000 + seed, 10, 1e6, cv: 0.05).Select(v => (double)v).ToArray();
            if (Comparison.PValue(x, y) < 0.05) flagged++;
        }
        Assert.InRange(flagged, 1, 25);
    }

    [Fact]
    public void ShiftBelowMinChangeIsNotCalledSignificant()
    {
        // 0.5 % shift with almost no noise: statistically clear, but below the 1 % that counts as a change.
        var cmp = Compare(Run("base", "A", Draw(1, 20, 900e6, 0.0001)), Run("new", "B", Draw(2, 20, 900e6 * 1.005, 0.0001)));
        var side = cmp.Rows.Single().Sides[1];
        Assert.True(side.PValue < 0.001);
        Assert.Equal(Verdict.NoSignificantChange, side.Verdict);
    }

    [Fact]
    public void LargeLatencySamplesAreTestedOnASubsample()
    {
        var rng = new Random(7);
        long[] a = Enumerable.Range(0, 60_000).Select(_ => 300L + rng.Next(200)).ToArray();
        long[] b = Enumerable.Range(0, 60_000).Select(_ => 330L + rng.Next(200)).ToArray();
        var cmp = Compare(Source("base", Samples("A", Metrics.KernelPageAllocLatenciesNs, a, 0)), Source("new", Samples("B", Metrics.KernelPageAllocLatenciesNs, b, 0)));
        var side = cmp.Rows.Single().Sides[1];
        Assert.Equal(60_000, side.Summary!.Count);
        Assert.Equal(Verdict.SignificantlyHigher, side.Verdict);
        Assert.False(double.IsNaN(side.PValue));
    }

    [Fact]
    public void ThreeSidesTooFewValuesAndMissingMetrics()
    {
        var cmp = Compare(
            Run("base", "A", Draw(1, 10, 900e6)),
            Run("two", "B", Draw(2, 2, 900e6)),
            Source("other", Metric("C", Metrics.KernelPageAllocs, 5, 0)));
        var row = cmp.Rows.Single(r => r.Key.Metric == Metrics.AntagonizedAvailableBytes);
        Assert.Equal(3, row.Sides.Count);
        Assert.Equal(Verdict.TooFewValues, row.Sides[1].Verdict);
        Assert.Equal(Verdict.Missing, row.Sides[2].Verdict);
        Assert.Equal(Verdict.Missing, cmp.Rows.Single(r => r.Key.Metric == Metrics.KernelPageAllocs).Sides[0].Verdict);
    }

    [Fact]
    public void IdenticalConstantSidesAreNoChange()
    {
        var cmp = Compare(Run("a", "A", [0, 0, 0, 0, 0], Metrics.KernelAllocFailures), Run("b", "B", [0, 0, 0, 0, 0], Metrics.KernelAllocFailures));
        var side = cmp.Rows.Single().Sides[1];
        Assert.Equal(Verdict.NoSignificantChange, side.Verdict);
        Assert.Equal(0, side.Change);
    }

    [Fact]
    public void TextAndMarkdownNameEverySideAndTheVerdict()
    {
        var cmp = Compare(Run("v6.1", "A", Draw(1, 10, 900e6)), Run("v6.2", "B", Draw(2, 10, 900e6 * 0.95)));
        var text = new StringWriter();
        cmp.Write(text, markdown: false);
        Assert.Contains("v6.1", text.ToString());
        Assert.Contains("(base)", text.ToString());
        Assert.Contains("significantly lower", text.ToString());
        Assert.Contains("Mann-Whitney", text.ToString());
        Assert.Matches(@"-[45]\.\d %", text.ToString());
        var md = new StringWriter();
        cmp.Write(md, markdown: true);
        Assert.Contains("| antagonized_available_bytes | 0 | v6.1 |", md.ToString());
    }

    [Fact]
    public void SideArgumentsNameFilesAndDirectories()
    {
        using var temp = new TempDir("pab-side-");
        string dir = temp.Path;
        File.WriteAllText(Path.Combine(dir, "a.jsonl"), "");
        File.WriteAllText(Path.Combine(dir, "b.json"), "");
        var side = Side.Parse($"v6.1={dir}/a.jsonl,{dir}/b.json", out string? error);
        Assert.Null(error);
        Assert.Equal("v6.1", side.Name);
        Assert.Equal(2, side.Sources.Count);
        var fromDir = Side.Parse(dir, out error);
        Assert.Null(error);
        Assert.Equal(["a.jsonl", "b.json"], fromDir.Sources.Select(s => Path.GetFileName(s.Name)));
        Assert.Equal("a+1", fromDir.Name);
        Side.Parse($"x={dir}/missing.jsonl", out error);
        Assert.Contains("missing.jsonl' does not exist", error);
    }
}
