using Pab.Antagonize;
using Pab.Common;

namespace Pab.Tests.Antagonize;

/// <summary>
/// The arithmetic behind kernel_held_bytes, which pab-report subtracts to get memory_available_diff_bytes:
/// block-ticks split at steady state, averaged per worker over its window, summed, times the block size.
/// Every expected value is worked out by hand in the comment beside it.
/// </summary>
public class HeldBytesTests
{
    [Fact]
    public void BeforeSteadyStateEveryBlockTickCountsBefore()
    {
        var h = new HeldIntegral();
        h.Add(held: 10, from: 100, to: 150, steady: 0);    // 10 × 50
        h.Add(held: 4, from: 150, to: 200, steady: 300);   // 4 × 50, ends before steady
        Assert.Equal(700, h.BeforeSteady);
        Assert.Equal(0, h.AfterSteady);
    }

    [Fact]
    public void ASpanAcrossSteadyStateIsSplitAtIt()
    {
        var h = new HeldIntegral();
        h.Add(held: 6, from: 100, to: 400, steady: 250);   // 6 × 150 before, 6 × 150 after
        Assert.Equal(900, h.BeforeSteady);
        Assert.Equal(900, h.AfterSteady);
        h.Add(held: 3, from: 400, to: 410, steady: 250);   // wholly after: 3 × 10
        Assert.Equal(900, h.BeforeSteady);
        Assert.Equal(930, h.AfterSteady);
    }

    private static WorkerSummary Worker(int cpu, long start, long end, int[] heldAt, long[] times, long steady)
    {
        var h = new HeldIntegral();
        for (int i = 0; i + 1 < times.Length; i++) h.Add(heldAt[i], times[i], times[i + 1], steady);
        return new WorkerSummary(cpu, 0, 1000 + cpu, Allocs: 10, Frees: 10, Failures: 0, Remote: 0, PeakHeld: heldAt.Max(),
            start, end, h, new LatencyRecorder(new LatencyHistogram()), new LatencyRecorder(new LatencyHistogram()));
    }

    // Worker 0 holds 100 blocks over [0, 1000), 200 over [1000, 2000); worker 1 holds 50 over [0, 2000)
    // then 150 over [2000, 4000). Steady state is declared at 1000.
    private static WorkerSummary[] TwoWorkers(long steady) =>
    [
        Worker(0, 0, 2000, [100, 200], [0, 1000, 2000], steady),
        Worker(1, 0, 4000, [50, 150], [0, 2000, 4000], steady),
    ];

    [Fact]
    public void TheAverageFromSteadyStateSumsEachWorkersOwnWindow()
    {
        var (steadyToStop, wholeRun) = WorkerResults.AverageHeldBlocks(TwoWorkers(steady: 1000), steadyTimestamp: 1000);
        // Worker 0 after steady: 200 × 1000 / (2000 - 1000) = 200. Worker 1: (50 × 1000 + 150 × 2000) / (4000 - 1000) = 350000 / 3000.
        Assert.Equal(200 + 350_000.0 / 3000, steadyToStop, 9);
        // Whole runs: worker 0 (100 × 1000 + 200 × 1000) / 2000 = 150; worker 1 (50 × 2000 + 150 × 2000) / 4000 = 100.
        Assert.Equal(250, wholeRun, 9);
    }

    [Fact]
    public void AWorkerThatEndedBeforeSteadyStateAddsNothingAfterIt()
    {
        var workers = new[] { Worker(0, 0, 1000, [80], [0, 1000], steady: 1500) };
        var (steadyToStop, wholeRun) = WorkerResults.AverageHeldBlocks(workers, steadyTimestamp: 1500);
        Assert.Equal(0, steadyToStop);
        Assert.Equal(80, wholeRun);
    }

    private static Pab.Common.Record Held(IReadOnlyList<WorkerSummary> workers, int order, long steady) =>
        WorkerResults.Of(workers, new ResultSettings(order, PageSize: 4096, steady, TicksPerSecond: 1000, Latencies: false))
            .Records.Single(r => r.Metric == Metrics.KernelHeldBytes);

    [Fact]
    public void KernelHeldBytesIsTheSteadyAverageTimesTheBlockSize()
    {
        var r = Held(TwoWorkers(steady: 1000), order: 2, steady: 1000);
        // (200 + 116.666…) blocks × 16 KiB = 5188266.67 bytes, rounded.
        Assert.Equal(5_188_267, r.Value);
        Assert.Equal(Units.Bytes, r.Unit);
        Assert.Equal(1, r.Details!["window_steady_to_stop"]);
        Assert.Equal(250 * 16384, r.Details["whole_run_average_bytes"]);     // 4096000
        Assert.Equal((200 + 150) * 16384, r.Details["peak_sum_bytes"]);      // 5734400
    }

    [Fact]
    public void WithoutSteadyStateKernelHeldBytesIsTheWholeRunAverage()
    {
        var r = Held(TwoWorkers(steady: 0), order: 0, steady: 0);
        Assert.Equal(250 * 4096, r.Value);                                    // 1024000
        Assert.Equal(0, r.Details!["window_steady_to_stop"]);
    }

    [Fact]
    public void TheTotalsAndTheRateComeFromEveryWorker()
    {
        var (records, messages) = WorkerResults.Of(TwoWorkers(steady: 1000),
            new ResultSettings(Order: 0, PageSize: 4096, SteadyTimestamp: 1000, TicksPerSecond: 1000, Latencies: false));
        Assert.Equal(["worker", "worker"], records.Where(r => r.Type == RecordType.Event).Select(r => r.Event));
        Assert.Equal(
            [Metrics.KernelPageAllocs, Metrics.KernelAllocFailures, Metrics.KernelPageAllocsRemote, Metrics.KernelPageFrees,
             Metrics.KernelPageAllocRate, Metrics.KernelHeldBytes],
            records.Where(r => r.Type == RecordType.Metric).Select(r => r.Metric));
        var rate = records.Single(r => r.Metric == Metrics.KernelPageAllocRate);
        Assert.Equal(5, rate.Value);                                            // 20 allocations over 4 s
        Assert.Equal(Units.PagesPerSecond, rate.Unit);
        Assert.Equal(2.5, rate.Details!["per_cpu_pages_per_s"]);
        Assert.Equal(20, records.Single(r => r.Metric == Metrics.KernelPageAllocs).Value);
        Assert.Single(messages);
    }
}
