using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Input;

namespace Pab.Tests.Report;

public class InputTests
{
    private const string Good = "{\"v\":1,\"type\":\"metric\",\"run\":\"A\",\"metric\":\"kernel_page_allocs\",\"order\":0,\"value\":5}";

    [Fact]
    public void MalformedLineIsAnErrorNamingFileAndLine()
    {
        var data = Merge(Text("run.jsonl", Good + "\n{\"v\":1,\"type\":\"metric\",\"metric\":\n" + Good.Replace("\"order\":0", "\"order\":1") + "\n"));
        var problem = Assert.Single(data.Problems);
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.Equal("run.jsonl:2", problem.Where.ToString());
        Assert.StartsWith("run.jsonl:2: error: malformed record", problem.ToString());
        Assert.Contains(data.Problems, p => p.Severity == Severity.Error);
        // The lines around it still count.
        Assert.Equal(2, data.Measured.Count);
        Assert.Equal((3L, 1L), (data.RecordsRead, data.RecordsRejected));
    }

    [Theory]
    [InlineData("{\"v\":1,\"type\":\"metric\",\"metric\":\"x\"}", "no \"value\"")]
    [InlineData("{\"v\":1,\"type\":\"samples\",\"metric\":\"x\",\"values\":[1,2.5]}", "not an integer")]
    [InlineData("{\"v\":1,\"type\":\"bogus\",\"metric\":\"x\"}", "unknown record type 'bogus'")]
    [InlineData("{\"v\":1,\"metric\":\"x\",\"value\":1}", "missing \"type\"")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("{\"v\":1,\"type\":\"metric\",\"metric\":\"x\",\"value\":1} {}", "is invalid after a single JSON value")]
    [InlineData("{\"v\":1,\"type\":\"metric\",\"metric\":\"x\",\"value\":\"12\"}", "\"value\" must be an integer")]
    public void InvalidRecordsSayWhatIsWrong(string line, string expected)
    {
        var problem = Assert.Single(Merge(Text("f", line + "\n")).Problems);
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void TruncatedLastLineIsAWarningAndSkipped()
    {
        string cut = Good[..25];
        var data = Merge(Text("killed.jsonl", Good + "\n" + cut));
        var problem = Assert.Single(data.Problems);
        Assert.Equal(Severity.Warning, problem.Severity);
        Assert.Equal("killed.jsonl:2", problem.Where.ToString());
        Assert.Contains("truncated last line", problem.Message);
        Assert.DoesNotContain(data.Problems, p => p.Severity == Severity.Error);
        Assert.Equal([5L], ValuesOf(data, Metrics.KernelPageAllocs, 0));
        Assert.Equal(1, data.LinesTruncated);
    }

    [Fact]
    public void CompleteLastLineWithoutNewlineIsAccepted()
    {
        var data = Merge(Text("f", Good));
        Assert.Empty(data.Problems);
        Assert.Equal([5L], ValuesOf(data, Metrics.KernelPageAllocs, 0));
    }

    [Fact]
    public void NewerFormatVersionIsRefusedClearly()
    {
        var problem = Assert.Single(Merge(Text("new.jsonl", Good.Replace("\"v\":1", $"\"v\":{Record.CurrentFormat + 1}") + "\n")).Problems);
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.Contains($"format version {Record.CurrentFormat + 1} is newer", problem.Message);
        Assert.Contains("use a pab-report at least as new", problem.Message);
    }

    [Fact]
    public void CrlfBomBlankLinesAndUnknownFieldsAreTolerated()
    {
        string text = "\uFEFF" + Good.Replace("\"value\":5", "\"value\":5,\"future_field\":{\"a\":[1]}") + "\r\n\r\n   \n";
        var data = Merge(Text("win.jsonl", text));
        Assert.Empty(data.Problems);
        Assert.Equal([5L], ValuesOf(data, Metrics.KernelPageAllocs, 0));
    }

    [Fact]
    public void LongLinesLargerThanTheBufferAreRead()
    {
        long[] values = Enumerable.Range(0, 400_000).Select(i => (long)i * 3).ToArray(); // ~2.6 MB line
        var data = Merge(Source("big.jsonl", Samples("A", Metrics.KernelPageFreeLatenciesNs, values, 1, cpu: 0), Samples("A", Metrics.KernelPageFreeLatenciesNs, [7], 1, cpu: 1)));
        Assert.Empty(data.Problems);
        Assert.Equal([.. values, 7L], ValuesOf(data, Metrics.KernelPageFreeLatenciesNs, 1));
    }

    [Fact]
    public void ManyLargeLinesParsedInParallelKeepInputOrderAndLineNumbers()
    {
        // ~50 lines of ~130 KB: several batches, each parsed on both cores.
        var lines = Enumerable.Range(0, 50).Select(k => Line(Samples("A", Metrics.KernelPageAllocLatenciesNs,
            Enumerable.Range(0, 20_000).Select(i => (long)k * 1_000_000 + i).ToArray(), 0, cpu: k))).ToList();
        lines[37] = lines[37][..1000] + "x" + lines[37][1001..];
        var data = Merge(Text("par.jsonl", string.Join("\n", lines) + "\n"));
        var problem = Assert.Single(data.Problems);
        Assert.Equal("par.jsonl:38", problem.Where.ToString());
        var items = data.AllSeries.Single().Items;
        Assert.Equal(Enumerable.Range(0, 50).Where(k => k != 37), items.Select(c => c.Header.Cpu!.Value));
        Assert.Equal(Enumerable.Range(1, 50).Where(n => n != 38).Select(n => (long)n), items.Select(c => c.Source.Line));
        Assert.All(items, c => Assert.Equal(c.Header.Cpu!.Value * 1_000_000L + 19_999, c.Values[19_999]));
    }

    [Fact]
    public void ValuesBeyond32BitsKeepEveryDigit()
    {
        long big = 40L << 30;
        var samples = Samples("A", "x_delta", [1, big, -big]);
        samples.Unit = "delta"; // a unit pab-report does not know may be negative
        var data = Merge(Source("f", samples));
        Assert.Empty(data.Problems);
        Assert.Equal([1L, big, -big], ValuesOf(data, "x_delta"));
    }

    [Fact]
    public void OriginalOutputIsImported()
    {
        string original = """
            {
              "antagonized_available_bytes_order0": [800, 810],
              "idle_available_bytes_order0": [900, 901],
              "kernel_page_alloc_latencies_ns_order0": [100, 200, 300],
              "kernel_page_allocs_order0": [42]
            }
            """;
        var data = Merge(Text("old.json", original));
        Assert.Empty(data.Problems);
        Assert.Equal([800L, 810], ValuesOf(data, Metrics.AntagonizedAvailableBytes, 0));
        Assert.Equal([100L, 200, 300], ValuesOf(data, Metrics.KernelPageAllocLatenciesNs, 0));
        var lat = data.AllSeries.Single(s => s.Key.Metric == Metrics.KernelPageAllocLatenciesNs);
        Assert.Equal(RecordType.Samples, lat.Items[0].Header.Type);
        Assert.Equal(Units.Nanoseconds, lat.Unit);
        var idle = data.AllSeries.Where(s => s.Key.Metric == Metrics.IdleAvailableBytes).ToList();
        Assert.Equal([0, 1], idle.Select(s => s.Key.Iteration!.Value));
        Assert.Equal("original:old.json", idle[0].Owner.Id);
        Assert.Equal("old.json:3", idle[0].Items[0].Source.ToString());
    }

    [Fact]
    public void OriginalFirstVersionIsImported()
    {
        var data = Merge(Text("v1.json", "{\"memory_available_diff_bytes\": 4096}"));
        Assert.Empty(data.Problems);
        Assert.Equal([4096L], ValuesOf(data, Metrics.MemoryAvailableDiffBytes));
    }

    [Fact]
    public void MalformedOriginalIsAnErrorWithLine()
    {
        var problem = Assert.Single(Merge(Text("old.json", "{\n \"kernel_page_allocs_order0\": [1,\n 2,\n \"x\"]\n}")).Problems);
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.Equal("old.json:4", problem.Where.ToString());
        Assert.Contains("other than an integer", problem.Message);
    }

    [Fact]
    public void UnreadableFileIsAnError()
    {
        var data = Merge(InputSource.FromArgument("/nonexistent/run.jsonl"));
        var problem = Assert.Single(data.Problems);
        Assert.Equal("/nonexistent/run.jsonl", problem.Where.ToString());
        Assert.Contains("cannot read", problem.Message);
    }
}
