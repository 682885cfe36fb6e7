using MathNet.Numerics.Distributions;
using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Input;
using Pab.Report.Merge;
using Pab.Report.Summaries;
using Pab.Report.Compare;
using Pab.Report.Export;

namespace Pab.Tests.Report;

public class CompareTests
{
    /// <summary>
    /// A side of <paramref name="runs"/> boots with <paramref name="iterations"/> iterations each: every boot moves the
    /// level by <paramref name="bootCv"/> (what replicates), its iterations scatter by <paramref name="iterationCv"/>.
    /// </summary>
    private static InputSource Side(string name, int seed, int runs, double mean, double bootCv = 0.01, int iterations = 3,
        double iterationCv = 0.001, string metric = Metrics.AntagonizedAvailableBytes)
    {
        var rng = new Random(seed);
        var boot = new Normal(0, bootCv, rng);
        var iter = new Normal(0, iterationCv, rng);
        var records = new List<Record>();
        for (int r = 0; r < runs; r++)
        {
            double level = mean * (1 + boot.Sample());
            for (int i = 0; i < iterations; i++)
                records.Add(Metric($"{name}-{r}", metric, (long)(level * (1 + iter.Sample())), 0, i));
        }
        return Source(name, records.ToArray());
    }

    private static Comparison Compare(params InputSource[] sides) =>
        Comparison.Run(sides.Select(s => Merge(s)).ToList(), sides.Select(s => s.Name).ToList(), 0.05, 0);

    private static SideResult Only(Comparison cmp) => cmp.Rows.Single().Sides[1];

    [Fact]
    public void FivePercentLowerOverFiveBootsIsLowerWithAnIntervalAroundIt()
    {
        var side = Only(Compare(Side("base", 1, 5, 900e6), Side("new", 2, 5, 900e6 * 0.95)));
        Assert.Equal(Verdict.Lower, side.Verdict);
        Assert.Equal(ChangeScale.Ratio, side.Shift!.Scale);
        Assert.InRange(side.Shift.Change, -0.07, -0.03);
        Assert.True(side.Shift.High < 0, "the interval excludes no change");
        Assert.InRange(-0.05, side.Shift.Low, side.Shift.High);
        Assert.Equal(1 - 2 * 4.0 / 252, side.Shift.Confidence, 6);

        var up = Only(Compare(Side("base", 3, 5, 900e6), Side("new", 4, 5, 900e6 * 1.05)));
        Assert.Equal(Verdict.Higher, up.Verdict);
    }

    [Fact]
    public void AaOverManyDrawsCallsAtMostAlphaOfThemChanged()
    {
        // Boot-to-boot spread is 20 times the spread within a boot: pooling iterations would call most of these changed.
        int called = 0, draws = 300;
        for (int seed = 0; seed < draws; seed++)
        {
            var side = Only(Compare(Side("a", 1000 + seed, 5, 800e6, 0.02, 5, 0.001), Side("b", 5000 + seed, 5, 800e6, 0.02, 5, 0.001)));
            Assert.NotEqual(Verdict.TooFewRuns, side.Verdict);
            if (side.Verdict is Verdict.Higher or Verdict.Lower) called++;
        }
        // The exact level for 5 against 5 is 1 − 96.8 %: about 10 of 300 expected.
        Assert.InRange(called, 1, (int)(draws * 0.05));
    }

    [Fact]
    public void OneRunASideIsNoVerdictHoweverManySamples()
    {
        // The issue's case: 100,000 latencies of one boot against another, 6.7 % apart: within-run only.
        var rng = new Random(7);
        long[] a = Enumerable.Range(0, 100_000).Select(_ => 3000L + rng.Next(500)).ToArray();
        long[] b = Enumerable.Range(0, 100_000).Select(_ => 2800L + rng.Next(500)).ToArray();
        var cmp = Compare(Source("base", Samples("A", Metrics.KernelPageAllocLatenciesNs, a, 0)), Source("new", Samples("B", Metrics.KernelPageAllocLatenciesNs, b, 0)));
        var p50 = cmp.Rows.Single(r => r.Key.Metric == "kernel_page_alloc_latency_p50_ns").Sides[1];
        Assert.Equal(Verdict.OneRun, p50.Verdict);
        Assert.Null(p50.Shift);
        Assert.InRange(p50.WithinRunChange, -0.08, -0.05);
        Assert.Equal(0, cmp.Tested);
        string text = Write(cmp, markdown: false);
        Assert.Contains("one run a side: no verdict", text);
        Assert.Contains("within one run", text);
        Assert.Equal(0, cmp.Called);
    }

    [Fact]
    public void ThreeRunsASideCannotDecideAndSaysHowManyAreNeeded()
    {
        var cmp = Compare(Side("base", 1, 3, 900e6), Side("new", 2, 3, 900e6 * 0.5));
        var side = Only(cmp);
        Assert.Equal(Verdict.TooFewRuns, side.Verdict);
        Assert.Contains("too few runs: 4 a side needed", Write(cmp, markdown: false));
        Assert.Equal(4, ShiftEstimate.RunsNeeded(0.05));
        Assert.Equal(5, ShiftEstimate.RunsNeeded(0.01));
        Assert.Equal(0, ShiftEstimate.CutPerEnd(3, 3, 0.05));
        Assert.Equal(1, ShiftEstimate.CutPerEnd(4, 4, 0.05));
    }

    [Fact]
    public void IntervalIsTheExactRankIntervalOfThePairwiseDifferences()
    {
        // Differences y − x run from 6 to 14 (25 of them); 5 against 5 at 5 % leaves out 3 at each end.
        var s = ShiftEstimate.Of([0, 1, 2, 3, 4], [10, 11, 12, 13, 14], 0.05)!;
        Assert.Equal(ChangeScale.Difference, s.Scale);
        Assert.Equal((10.0, 7.0, 13.0), (s.Change, s.Low, s.High));
        Assert.Equal(2.0 / 252, s.PValue, 9);
        // On the ratio scale: y = 2x exactly is +100 %, the interval a single point.
        var r = ShiftEstimate.Of([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], 0.05)!;
        Assert.Equal(ChangeScale.Ratio, r.Scale);
        Assert.Equal(1.0, r.Change, 9);
        Assert.True(r.Low < 1 && r.High > 1);
        var same = ShiftEstimate.Of([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], 0.05)!;
        Assert.Equal((0.0, 0.0, 0.0, 1.0), (same.Change, same.Low, same.High, same.PValue));
        Assert.Equal(0, same.Direction);
    }

    [Fact]
    public void DetectableChangeFollowsTheSpreadAndTheRunCount()
    {
        double[] a = [-1, 0, 1, -1, 0, 1], b = [-1, 0, 1, -1, 0, 1];
        // s = sqrt(8 / 10); t(0.975, 10) + t(0.8, 10) = 2.2281 + 0.8791.
        double expected = (2.228139 + 0.879058) * Math.Sqrt(0.8) * Math.Sqrt(2.0 / 6) * Math.Sqrt(Math.PI / 3);
        Assert.Equal(expected, ShiftEstimate.Detectable(a, b, ChangeScale.Difference, 0.05), 4);
        double wider = ShiftEstimate.Detectable(a.Select(v => v * 2).ToArray(), b, ChangeScale.Difference, 0.05);
        double more = ShiftEstimate.Detectable([.. a, .. a], [.. b, .. b], ChangeScale.Difference, 0.05);
        Assert.True(wider > expected && more < expected);
        Assert.True(double.IsNaN(ShiftEstimate.Detectable([1], [1, 2], ChangeScale.Difference, 0.05)));
    }

    [Fact]
    public void RunsAreSummarisedFirstByTheirMedianRateAndPercentiles()
    {
        var records = new List<Record>
        {
            Metric("A", Metrics.IdleAvailableBytes, 100, iteration: 0), Metric("A", Metrics.IdleAvailableBytes, 300, iteration: 1),
            Metric("A", Metrics.IdleAvailableBytes, 200, iteration: 2),
        };
        var allocs = Metric("A", Metrics.KernelPageAllocs, 1000, 0, tool: "pab-antagonize");
        allocs.Details = new() { ["run_time_s"] = 4 };
        records.Add(allocs);
        records.Add(Metric("A", Metrics.KernelAllocFailures, 8, 0, tool: "pab-antagonize"));
        records.Add(Samples("A", Metrics.KernelPageAllocLatenciesNs, Enumerable.Range(1, 100).Select(v => (long)v).ToArray(), 0, 0));
        records.Add(Samples("A", Metrics.KernelPageFreeLatenciesNs, [5, 6, 7], 0, 0));
        records.Add(Metric("A", "kernel_page_free_latency_p50_ns", 6, 0, tool: "pab-antagonize"));
        var rows = RunSummaries.Of(Merge(Source("a", records.ToArray())));
        Assert.Equal(200, rows[new GroupKey(Metrics.IdleAvailableBytes, null, null)].Values.Single());
        var rate = rows[new GroupKey(Metrics.KernelPageAllocs, 0, null)];
        Assert.Equal((250.0, UnitFormat.PerSecond), (rate.Values.Single(), rate.Unit));
        Assert.Equal(2, rows[new GroupKey(Metrics.KernelAllocFailures, 0, null)].Values.Single());
        var p90 = rows[new GroupKey("kernel_page_alloc_latency_p90_ns", 0, null)];
        Assert.True(p90.FromSample);
        Assert.InRange(p90.Values.Single(), 89, 92);
        // The antagonist's exact p50 wins over the sample's; the raw samples are no row of their own.
        Assert.False(rows[new GroupKey("kernel_page_free_latency_p50_ns", 0, null)].FromSample);
        Assert.False(rows.ContainsKey(new GroupKey(Metrics.KernelPageAllocLatenciesNs, 0, null)));
    }

    [Fact]
    public void ThreeSidesAndMissingRows()
    {
        var cmp = Compare(Side("base", 1, 5, 900e6), Side("two", 2, 5, 900e6), Source("other", Metric("C", Metrics.KernelPageAllocs, 5, 0)));
        var row = cmp.Rows.Single(r => r.Key.Metric == Metrics.AntagonizedAvailableBytes);
        Assert.Equal(3, row.Sides.Count);
        Assert.Equal(Verdict.Missing, row.Sides[2].Verdict);
        Assert.Equal(Verdict.Missing, cmp.Rows.Single(r => r.Key.Metric == Metrics.KernelPageAllocs).Sides[0].Verdict);
    }

    [Fact]
    public void TextAndMarkdownSayTheMethodAndTheExpectedFalseAlarms()
    {
        var cmp = Compare(Side("v6.1", 1, 5, 900e6), Side("v6.2", 2, 5, 900e6 * 0.95));
        string text = Write(cmp, markdown: false);
        Assert.Contains("(baseline)", text);
        Assert.Contains("lower", text);
        Assert.Contains("Hodges–Lehmann", text);
        Assert.Contains("96.8 %", text);
        Assert.Contains("1 comparison(s) tested at α = 0.05: about 0.1 would be called changed by chance alone", text);
        Assert.Matches(@"-[456]\.\d % \[-\d\.\d %, -\d\.\d %\]", text);
        Assert.Matches(@"±\d\.\d+ %", text);
        Assert.Contains("| antagonized_available_bytes | 0 | v6.1 | 5 |", Write(cmp, markdown: true));
    }

    private static string Write(Comparison cmp, bool markdown)
    {
        var w = new StringWriter();
        CompareWriter.Write(cmp, w, markdown);
        return w.ToString();
    }

    [Fact]
    public void SideArgumentsNameFilesAndDirectories()
    {
        using var temp = new TempDir("pab-side-");
        string dir = temp.Path;
        File.WriteAllText(Path.Combine(dir, "a.jsonl"), "");
        File.WriteAllText(Path.Combine(dir, "b.json"), "");
        var side = Pab.Report.Compare.Side.Parse($"v6.1={dir}/a.jsonl,{dir}/b.json", out string? error);
        Assert.Null(error);
        Assert.Equal("v6.1", side.Name);
        Assert.Equal(2, side.Sources.Count);
        var fromDir = Pab.Report.Compare.Side.Parse(dir, out error);
        Assert.Null(error);
        Assert.Equal(["a.jsonl", "b.json"], fromDir.Sources.Select(s => Path.GetFileName(s.Name)));
        Assert.Equal("a+1", fromDir.Name);
        Pab.Report.Compare.Side.Parse($"x={dir}/missing.jsonl", out error);
        Assert.Contains("missing.jsonl' does not exist", error);
    }
}
