using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Input;
using Pab.Report.Merge;

namespace Pab.Tests.Report;

public class MergeTests
{
    [Fact]
    public void RerunUnderTheRunsIdReplacesTheSameMeasurementsAndSaysFromWhere()
    {
        var full = Source("full.jsonl", SmallRun("A", "2026-11-22T01:00:00Z"));
        var rerun = Source("rerun.jsonl",
            Metric("A", Metrics.AntagonizedAvailableBytes, 700_000_000, 3, 2, "antagonized", time: "2026-11-22T02:00:00Z"));
        var data = Merge(full, rerun);

        var order3 = data.AllSeries.Where(s => s.Key.Metric == Metrics.AntagonizedAvailableBytes && s.Key.Order == 3).ToList();
        Assert.Equal(5, order3.Count);
        Assert.Equal(700_000_000, order3.Single(s => s.Key.Iteration == 2).Items.Single().Values[0]);
        var replacement = Assert.Single(data.Replacements);
        Assert.Equal(("A", "full.jsonl", "rerun.jsonl", 1, 1L), (replacement.Run, replacement.ReplacedIn, replacement.ByIn, replacement.Records, replacement.Values));
        Assert.Equal(new SeriesKey(Metrics.AntagonizedAvailableBytes, 3, null, 2), replacement.Key);
        Assert.Equal(1, data.RecordsReplaced);
        Assert.Equal(data.RecordsRead, data.RecordsKept + data.RecordsReplaced + data.RecordsRejected);
        Assert.Equal(SmallRun().Length + 1, data.RecordsRead);
        Assert.Single(data.Runs);
    }

    [Theory]
    [InlineData(KeepPolicy.Latest)]
    [InlineData(KeepPolicy.All)]
    public void RunsAreReplicatesAndNeverReplaceEachOther(KeepPolicy keep)
    {
        var a = Source("a.jsonl", SmallRun("A", "2026-11-22T01:00:00Z"));
        var b = Source("b.jsonl", SmallRun("B", "2026-11-22T02:00:00Z"));
        var data = Merge(keep, a, b);
        Assert.Equal(2, data.Runs.Count);
        Assert.Empty(data.Replacements);
        Assert.Equal(10, ValuesOf(data, Metrics.AntagonizedAvailableBytes, 3).Length);
        Assert.Equal(2, ValuesOf(data, Metrics.KernelPageAllocs, 0).Length);
        // Each run's diff is its own: 2 runs × 5 iterations at order 0.
        Assert.Equal(10, ValuesOf(data, Metrics.MemoryAvailableDiffBytes, 0).Length);
        var byRun = data.GroupsByRun().Single(g => g.Key.Metric == Metrics.KernelPageAllocs && g.Key.Order == 0);
        Assert.Equal(["A", "B"], byRun.Runs.Select(r => r.Run.Id));
    }

    [Fact]
    public void LaterRecordWinsEvenWhenReadFirst()
    {
        // The rerun's file comes first on the command line; its records' time still makes them the later ones.
        var rerun = Source("rerun.jsonl", Metric("A", Metrics.KernelPageAllocs, 2, 0, time: "2026-11-22T02:00:00Z"));
        var full = Source("full.jsonl", Metric("A", Metrics.KernelPageAllocs, 1, 0, time: "2026-11-22T01:00:00Z"));
        var data = Merge(rerun, full);
        Assert.Equal([2L], ValuesOf(data, Metrics.KernelPageAllocs, 0));
        var r = Assert.Single(data.Replacements);
        Assert.Equal(("full.jsonl", "rerun.jsonl"), (r.ReplacedIn, r.ByIn));
    }

    [Fact]
    public void PerCpuSamplesOfOneRunAddUpAndARerunReplacesItsCpus()
    {
        var a = Source("a.jsonl",
            Samples("A", Metrics.KernelPageAllocLatenciesNs, [1, 2, 3], 0, cpu: 0),
            Samples("A", Metrics.KernelPageAllocLatenciesNs, [4, 5], 0, cpu: 1));
        Assert.Equal([1L, 2, 3, 4, 5], ValuesOf(Merge(a), Metrics.KernelPageAllocLatenciesNs, 0));

        var b = Source("b.jsonl",
            Samples("A", Metrics.KernelPageAllocLatenciesNs, [9], 0, cpu: 0, time: "2026-11-22T03:00:00Z"),
            Samples("A", Metrics.KernelPageAllocLatenciesNs, [8], 0, cpu: 1, time: "2026-11-22T03:00:00Z"));
        var data = Merge(a, b);
        Assert.Equal([9L, 8], ValuesOf(data, Metrics.KernelPageAllocLatenciesNs, 0));
        Assert.Equal(2, data.RecordsReplaced);
        Assert.Equal(5, Assert.Single(data.Replacements.GroupBy(r => r.Run)).Sum(r => r.Values));
    }

    [Fact]
    public void KeepAllKeepsAMeasurementRecordedTwiceInOneRun()
    {
        var a = Source("a.jsonl", Metric("A", Metrics.KernelPageAllocs, 1, 0));
        var b = Source("b.jsonl", Metric("A", Metrics.KernelPageAllocs, 2, 0, time: "2026-11-22T02:00:00Z"));
        var data = Merge(KeepPolicy.All, a, b);
        Assert.Equal([1L, 2], ValuesOf(data, Metrics.KernelPageAllocs, 0));
        Assert.Empty(data.Replacements);
        Assert.Equal(0, data.RecordsReplaced);
        Assert.Equal(2, data.RecordsKept);
    }

    [Fact]
    public void AFileGivenTwiceIsMergedOnceWithAWarning()
    {
        var once = Merge(Source("run1.jsonl", SmallRun("A")));
        var twice = Merge(Source("run1.jsonl", SmallRun("A")), Source("run1.jsonl", SmallRun("A")));
        Assert.Equal(ValuesOf(once, Metrics.KernelPageAllocLatenciesNs, 0), ValuesOf(twice, Metrics.KernelPageAllocLatenciesNs, 0));
        Assert.Equal(ValuesOf(once, Metrics.AntagonizedAvailableBytes, 0), ValuesOf(twice, Metrics.AntagonizedAvailableBytes, 0));
        Assert.Empty(twice.Replacements);
        int data = SmallRun().Count(r => r.Type != RecordType.Meta);
        Assert.Equal(data, twice.RecordsDuplicate);
        var dup = Assert.Single(twice.Duplicates);
        Assert.Equal(("run1.jsonl", "run1.jsonl", data), (dup.File, dup.FirstIn, dup.Records));
        // The original's JSON given twice is one run (its file) read twice: the same.
        string json = "{\"kernel_page_allocs_order0\": [5, 6]}";
        var orig = Merge(Text("old.json", json), Text("old.json", json));
        Assert.Equal([5L, 6], ValuesOf(orig, Metrics.KernelPageAllocs, 0));
    }

    [Fact]
    public void ConflictingUnitsAreRejectedWithFileAndLine()
    {
        var a = Source("a.jsonl",
            Metric("A", Metrics.KernelPageAllocLatenciesNs, 100, 0, unit: "ns"),
            Metric("A", Metrics.KernelPageAllocLatenciesNs, 1, 0, iteration: 1, unit: "ms"));
        var data = Merge(a);
        var problem = Assert.Single(data.Problems);
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.Equal(new SourcePos("a.jsonl", 2), problem.Where);
        Assert.Contains("'ms'", problem.Message);
        Assert.Contains("a.jsonl:1", problem.Message);
        Assert.Equal([100L], ValuesOf(data, Metrics.KernelPageAllocLatenciesNs, 0));
        Assert.Equal(1, data.RecordsRejected);
        Assert.Equal(data.RecordsRead, data.RecordsKept + data.RecordsReplaced + data.RecordsRejected);
    }

    [Fact]
    public void LabelNamedByTheMetricDoesNotSplitKeys()
    {
        // Original imports and pab-exhaust may differ in whether they set the label the name already says.
        var a = Source("a.jsonl", Metric("A", Metrics.IdleAvailableBytes, 1, iteration: 0, label: "idle"));
        var b = Source("b.jsonl", Metric("B", Metrics.IdleAvailableBytes, 2, iteration: 0, time: "2026-11-22T02:00:00Z"));
        var data = Merge(a, b);
        Assert.Equal([1L, 2], ValuesOf(data, Metrics.IdleAvailableBytes));
        Assert.Single(data.Groups());
    }

    [Fact]
    public void PhaseLabelsDoNotKeepNewResultsFromMatchingOriginalOnes()
    {
        var original = Text("old.json", "{\"kernel_page_allocs_order0\": [5], \"kernel_page_alloc_latencies_ns_order0\": [1, 2]}");
        var ours = Source("new.jsonl",
            Metric("B", Metrics.KernelPageAllocs, 6, 0, label: "antagonized", time: "2026-11-22T02:00:00Z", tool: "pab-antagonize"));
        var data = Merge(original, ours);
        Assert.Equal([5L, 6], ValuesOf(data, Metrics.KernelPageAllocs, 0));
        Assert.Equal(2, data.Groups().Count);
        // A label of the user's own that the name does not say does split keys.
        var custom = Merge(Source("c.jsonl", Metric("A", Metrics.KernelPageAllocs, 1, 0, label: "thp-off"), Metric("A", Metrics.KernelPageAllocs, 2, 0, label: "thp-on")));
        Assert.Equal(2, custom.Groups().Count);
        Assert.Empty(custom.Replacements);
    }

    [Fact]
    public void RecordsWithoutTimesAreOrderedAsRead()
    {
        var a = InputSource.FromBytes("a.jsonl", "{\"v\":1,\"type\":\"metric\",\"run\":\"A\",\"metric\":\"kernel_page_allocs\",\"order\":0,\"value\":1}\n"u8.ToArray());
        var b = InputSource.FromBytes("b.jsonl", "{\"v\":1,\"type\":\"metric\",\"run\":\"A\",\"metric\":\"kernel_page_allocs\",\"order\":0,\"value\":2}\n"u8.ToArray());
        Assert.Equal([2L], ValuesOf(Merge(a, b), Metrics.KernelPageAllocs, 0));
        Assert.Equal([1L], ValuesOf(Merge(b, a), Metrics.KernelPageAllocs, 0));
    }

    [Fact]
    public void RecordsWithoutRunIdAreARunPerFile()
    {
        var a = InputSource.FromBytes("a.jsonl", "{\"type\":\"metric\",\"metric\":\"kernel_page_allocs_order2\",\"value\":7}\n"u8.ToArray());
        var data = Merge(a);
        var series = Assert.Single(data.AllSeries);
        Assert.Equal("file:a.jsonl", series.Owner.Id);
        // The original's suffixed name is split into name and order.
        Assert.Equal(new SeriesKey(Metrics.KernelPageAllocs, 2, null, null), series.Key);
    }
}
