using Pab.Common;
using static Pab.Tests.Report.ReportTestData;

namespace Pab.Tests.Report;

public class AvailableDiffTests
{
    [Fact]
    public void DiffPerOrderAndIterationWithOrderlessIdle()
    {
        var data = Merge(Source("run.jsonl", SmallRun()));
        // idle(i) − antagonized(order, i) − held(order): 900M+i·1M − (800M + i·1M − order·10M) − 50M
        Assert.Equal(Enumerable.Repeat(50_000_000L, 5), ValuesOf(data, Metrics.MemoryAvailableDiffBytes, 0));
        Assert.Equal(Enumerable.Repeat(80_000_000L, 5), ValuesOf(data, Metrics.MemoryAvailableDiffBytes, 3));
        var first = data.Derived.First();
        Assert.Equal("A", first.Owner.Id);
        Assert.Equal(Units.Bytes, first.Unit);
        Assert.Equal(50_000_000, first.Items[0].Header.Details![Metrics.KernelHeldBytes]);
    }

    [Fact]
    public void PerIterationHeldAndPerOrderIdleArePreferred()
    {
        var data = Merge(Source("run.jsonl",
            Metric("A", Metrics.IdleAvailableBytes, 1000, 2, 0),
            Metric("A", Metrics.IdleAvailableBytes, 1100, 2, 1),
            Metric("A", Metrics.IdleAvailableBytes, 5000, null, 0), // order-less idle is the fallback only
            Metric("A", Metrics.AntagonizedAvailableBytes, 700, 2, 0),
            Metric("A", Metrics.AntagonizedAvailableBytes, 750, 2, 1),
            Metric("A", Metrics.KernelHeldBytes, 100, 2, 0),
            Metric("A", Metrics.KernelHeldBytes, 120, 2, 1)));
        Assert.Equal([200L, 230], ValuesOf(data, Metrics.MemoryAvailableDiffBytes, 2));
    }

    [Fact]
    public void NothingWithoutHeldBytes()
    {
        var data = Merge(Source("run.jsonl",
            Metric("A", Metrics.IdleAvailableBytes, 1000, 0, 0),
            Metric("A", Metrics.AntagonizedAvailableBytes, 700, 0, 0)));
        Assert.Empty(data.Derived);
    }

    [Fact]
    public void NotRecomputedWhenTheInputHasIt()
    {
        var records = SmallRun().Append(Metric("A", Metrics.MemoryAvailableDiffBytes, 7, 0, 0)).ToArray();
        var data = Merge(Source("run.jsonl", records));
        Assert.Equal([7L], ValuesOf(data, Metrics.MemoryAvailableDiffBytes, 0));
        Assert.Equal(5, ValuesOf(data, Metrics.MemoryAvailableDiffBytes, 3).Length);
    }
}
