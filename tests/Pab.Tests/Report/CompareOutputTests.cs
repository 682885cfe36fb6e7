using System.Text;
using System.Text.Json;
using MathNet.Numerics.Statistics;
using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Export;
using Pab.Report.Commands;

namespace Pab.Tests.Report;

/// <summary>What compare prints and exports, through its command line.</summary>
public sealed class CompareOutputTests : IDisposable
{
    private readonly TempDir _dir = new("pab-compare-out-");

    public void Dispose() => _dir.Dispose();

    private JsonElement CompareJson(string a, string b, out string stdout)
    {
        string json = _dir.Of("cmp.json");
        var (code, output, stderr) = RunCli("compare", $"base={a}", $"new={b}", "--export-json", json);
        Assert.True(code == 0, stderr);
        stdout = output;
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.Clone();
    }

    private static JsonElement Row(JsonElement root, string metric, int order) =>
        root.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("metric").GetString() == metric && r.GetProperty("order").GetInt32() == order);

    [Fact]
    public void OneRunASideShowsEachPercentileRowsOwnChange()
    {
        // The original's JSON (samples only): the lower half alike, the upper half pulled in, so p50 barely moves and p90 falls.
        long[] baseline = Enumerable.Range(1000, 1000).Select(v => (long)v).ToArray();
        long[] other = baseline.Select(v => v < 1500 ? v : 1500 + (long)((v - 1500) * 0.3)).ToArray();
        string Original(string name, long[] v)
        {
            File.WriteAllText(_dir.Of(name), $"{{\"kernel_page_alloc_latencies_ns_order0\":[{string.Join(",", v)}]}}");
            return _dir.Of(name);
        }
        var root = CompareJson(Original("old.json", baseline), Original("new.json", other), out string text);

        foreach (int p in new[] { 50, 90, 99 })
        {
            double Q(long[] v) => Statistics.QuantileCustom(v.Select(x => (double)x), p / 100.0, QuantileDefinition.R8);
            double expected = (Q(other) - Q(baseline)) / Q(baseline);
            var side = Row(root, $"kernel_page_alloc_latency_p{p}_ns", 0).GetProperty("sides")[1];
            Assert.Equal(expected, side.GetProperty("within_run_change").GetDouble(), 9);
        }
        // p90: 1.900 µs against 1.620 µs is −15 %; the p50's change (0) is not what its row shows.
        string p90Line = text.Split('\n').SkipWhile(l => !l.StartsWith("kernel_page_alloc_latency_p90_ns", StringComparison.Ordinal)).Skip(1).First();
        Assert.Contains("-15 % within one run", p90Line);
    }

    private string AntagonistRun(string name, string run, long allocs, double seconds)
    {
        var a = Metric(run, Metrics.KernelPageAllocs, allocs, 0, tool: "pab-antagonize");
        a.Details = new() { ["run_time_s"] = seconds, ["cpus_count"] = 2 };
        var frees = Metric(run, Metrics.KernelPageFrees, allocs, 0, tool: "pab-antagonize");
        var rate = Metric(run, Metrics.KernelPageAllocRate, (long)Math.Round(allocs / seconds), 0, unit: Units.PagesPerSecond, tool: "pab-antagonize");
        rate.Details = new() { ["run_time_s"] = seconds };
        var failures = Metric(run, Metrics.KernelAllocFailures, 0, 0, tool: "pab-antagonize");
        File.WriteAllText(_dir.Of(name), string.Join("\n", new Record[] { a, frees, rate, failures }.Select(Line)) + "\n");
        return _dir.Of(name);
    }

    [Fact]
    public void TheAntagonistsRateIsOneRowNotThree()
    {
        var root = CompareJson(AntagonistRun("a.jsonl", "A", 9_000_000, 90), AntagonistRun("b.jsonl", "B", 9_900_000, 90), out string text);
        string[] same = [Metrics.KernelPageAllocs, Metrics.KernelPageAllocRate, Metrics.KernelPageFrees];
        var rows = root.GetProperty("rows").EnumerateArray().Where(r => same.Contains(r.GetProperty("metric").GetString())).ToList();
        Assert.Single(rows);
        Assert.Equal(2, root.GetProperty("rows").GetArrayLength());
        Assert.Single(text.Split('\n'), l => l.Contains("100,000 pages/s") || l.Contains("100,000 /s"));
    }

    [Fact]
    public void ExportJsonNamesVerdictsInTheTextsWords()
    {
        string a = AntagonistRun("a.jsonl", "A", 9_000_000, 90), b = AntagonistRun("b.jsonl", "B", 9_900_000, 90);
        var sides = Row(CompareJson(a, b, out _), Metrics.KernelAllocFailures, 0).GetProperty("sides");
        Assert.Equal("baseline", sides[0].GetProperty("verdict").GetString());
        Assert.Equal("one_run_a_side", sides[1].GetProperty("verdict").GetString());

        // Five runs a side: a verdict, and the scale of the change in the same lower-case words.
        var files = new List<string>[] { [], [] };
        for (int r = 0; r < 5; r++)
        {
            files[0].Add(AntagonistRun($"a{r}.jsonl", $"A{r}", 9_000_000 + r * 10_000, 90));
            files[1].Add(AntagonistRun($"b{r}.jsonl", $"B{r}", 9_900_000 + r * 10_000, 90));
        }
        var row = Row(CompareJson(string.Join(",", files[0]), string.Join(",", files[1]), out string text), Metrics.KernelPageAllocRate, 0);
        var other = row.GetProperty("sides")[1];
        Assert.Equal("higher", other.GetProperty("verdict").GetString());
        Assert.Equal("ratio", other.GetProperty("scale").GetString());
        Assert.Equal("~", Row(CompareJson(string.Join(",", files[0]), string.Join(",", files[0]), out _), Metrics.KernelPageAllocRate, 0)
            .GetProperty("sides")[1].GetProperty("verdict").GetString());
        Assert.Contains("higher", text);
    }
}
