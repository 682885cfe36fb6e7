using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Tests.Report;

public class AdviceTests
{
    private static List<Warning> For(params Record[] records) => Advice.For(Merge(Source("run.jsonl", records)));

    private static Record[] Iterations(params long[] values) =>
        values.Select((v, i) => Metric("A", Metrics.AntagonizedAvailableBytes, v, 0, i)).ToArray();

    [Fact]
    public void SteadyDataGivesNoWarning() =>
        Assert.Empty(For(Iterations(1000, 1010, 990, 1005, 995, 1002)));

    [Fact]
    public void TooFewIterations()
    {
        var w = Assert.Single(For(Iterations(1000, 1010)));
        Assert.Contains("only 2 value(s)", w.Message);
        Assert.Contains("run at least 5 iterations", w.Message);
    }

    [Fact]
    public void OutliersByMadScore()
    {
        var w = Assert.Single(For(Iterations(1000, 1010, 990, 1005, 995, 1002, 1500)));
        Assert.Contains("1 of 7 values is an outlier", w.Message);
        Assert.Contains("1.46 KiB at iteration 6", w.Message);
        Assert.Contains("quiet machine", w.Message);
        Assert.DoesNotContain(For(Iterations(1000, 1010, 990, 1005, 995, 1002, 1030)), o => o.Message.Contains("outlier"));
    }

    [Fact]
    public void FirstIterationFarFromTheRest()
    {
        var warnings = For(Iterations(800, 1000, 1010, 990, 1005, 995));
        Assert.Contains(warnings, w => w.Message.Contains("first iteration") && w.Message.Contains("warm-up"));
        // When the others agree exactly, a 1 % difference is enough.
        Assert.NotNull(Advice.FirstIterationDiffers(Merge(Source("r", Iterations(900, 1000, 1000, 1000, 1000))).Groups()[0].Series));
        Assert.Null(Advice.FirstIterationDiffers(Merge(Source("r", Iterations(1001, 1000, 1000, 1000, 1000))).Groups()[0].Series));
    }

    [Fact]
    public void LatencyTailsAreNotOutliersButTinySamplesAreFlagged()
    {
        long[] tail = [.. Enumerable.Repeat(300L, 990), .. Enumerable.Repeat(90_000L, 10)];
        Assert.Empty(For(Samples("A", Metrics.KernelPageAllocLatenciesNs, tail, 0)));
        var w = Assert.Single(For(Samples("A", Metrics.KernelPageAllocLatenciesNs, [1, 2, 3], 0)));
        Assert.Contains("only 3 sampled values", w.Message);
    }

    [Fact]
    public void AllocationFailuresAndErrorEvents()
    {
        var warnings = For(
            Metric("A", Metrics.KernelAllocFailures, 3, 0),
            new Record { Type = RecordType.Event, Run = "A", Tool = "pab-exhaust", Event = "error", Message = "child not killed" },
            new Record { Type = RecordType.Event, Run = "A", Tool = "pab-exhaust", Event = "interrupted", Order = 3, Message = "SIGTERM after 2 iteration(s)" });
        Assert.Contains(warnings, w => w.Message.Contains("failed 3 allocation(s)") && w.Message.Contains("dmesg"));
        Assert.Contains(warnings, w => w.Message.Contains("interrupted in run A (order 3)") && w.Message.Contains("merge"));
        Assert.Contains(warnings, w => w.Message.Contains("child not killed"));
    }

    [Fact]
    public void IterationsAreJudgedWithinTheirRunAndRepeatedWarningsAreSaidOnce()
    {
        // Two boots 5 % apart, each steady: between runs that is the boot, not an outlier.
        var records = new List<Record>();
        foreach (var (run, level) in new[] { ("A", 800_000_000L), ("B", 840_000_000L) })
            for (int i = 0; i < 5; i++)
                records.Add(Metric(run, Metrics.IdleAvailableBytes, level + i * 100_000, iteration: i));
        Assert.Empty(For(records.ToArray()));

        var few = new List<Record>();
        foreach (string run in new[] { "A", "B" })
            foreach (int order in new[] { 0, 4 })
                for (int i = 0; i < 3; i++)
                    few.Add(Metric(run, Metrics.AntagonizedAvailableBytes, 800_000_000 + i, order, i));
        var warnings = For(few.ToArray());
        Assert.Equal(4, warnings.Count);
        string line = Assert.Single(Warning.Grouped(warnings));
        Assert.Contains("only 3 value(s)", line);
        Assert.Contains("antagonized_available_bytes order 0 (in 2 runs); antagonized_available_bytes order 4 (in 2 runs)", line);
    }
}
