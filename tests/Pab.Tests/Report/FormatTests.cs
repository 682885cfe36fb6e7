using System.Text;
using System.Text.Json;
using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Input;
using Pab.Report.Merge;
using Pab.Report.Summaries;
using Pab.Report.Export;
using Pab.Report.Commands;

namespace Pab.Tests.Report;

public class FormatTests
{
    private static MergedData Sample() => Merge(
        Source("full.jsonl", SmallRun("A", "2026-11-22T01:00:00Z")),
        Source("rerun.jsonl", Metric("A", Metrics.AntagonizedAvailableBytes, 790_000_000, 3, 4, "antagonized", time: "2026-11-22T02:00:00Z")));

    private static string Export(ReportFormat format, MergedData data)
    {
        var ms = new MemoryStream();
        Exporters.For(format).Export(new ReportContent(data, Advice.For(data)), ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Compares with tests/Pab.Tests/Report/golden/NAME; PAB_UPDATE_GOLDEN=1 rewrites the file instead (then review the diff).</summary>
    private static void Golden(string name, string actual)
    {
        string path = RepoPaths.Of("tests", "Pab.Tests", "Report", "golden", name);
        if (Environment.GetEnvironmentVariable("PAB_UPDATE_GOLDEN") == "1")
            File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"golden file {path} is missing; run with PAB_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void TextMatchesGolden()
    {
        string text = Export(ReportFormat.Text, Sample());
        Golden("small.txt", text);
        // Independently of the golden file: units are human, the rerun is named.
        Assert.Contains("860 MiB", text);
        Assert.Contains("µs", text);
        Assert.Contains("iteration(s) 4 of run A: 1 record(s), 1 value(s) replaced from full.jsonl by later ones from rerun.jsonl", text);
    }

    [Fact]
    public void MarkdownMatchesGolden()
    {
        string md = Export(ReportFormat.Markdown, Sample());
        Golden("small.md", md);
        Assert.Contains("| metric | order | runs | values |", md);
        Assert.Contains("|---|---:|", md);
    }

    [Fact]
    public void CsvMatchesGoldenWithOneRowPerValue()
    {
        var data = Sample();
        string csv = Export(ReportFormat.Csv, data);
        Golden("small.csv", csv);
        string[] lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(string.Join(",", CsvExporter.Columns), lines[0]);
        long values = data.AllSeries.Sum(s => s.ValueCount);
        Assert.Equal(values, lines.Length - 1);
        Assert.Contains("A,pab-exhaust,metric,antagonized_available_bytes,3,antagonized,4,,bytes,790000000", lines);
    }

    [Fact]
    public void JsonlRoundTripsThroughTheReader()
    {
        var data = Sample();
        string jsonl = Export(ReportFormat.Jsonl, data);
        Assert.All(jsonl.TrimEnd('\n').Split('\n'), line => JsonSerializer.Deserialize(line, RecordJsonContext.Default.Record));
        var again = Merge(Text("merged.jsonl", jsonl));
        Assert.Empty(again.Problems);
        Assert.Empty(again.Replacements);
        Assert.Equal(Flatten(data), Flatten(again));
        Assert.Equal(data.Runs.Select(r => r.Id), again.Runs.Select(r => r.Id));
        Assert.NotNull(again.Runs[0].Meta.Single().Host);
    }

    private static List<string> Flatten(MergedData d) => d.AllSeries
        .SelectMany(s => s.Items.Select(c => $"{s.Key}|{s.Unit}|{s.Owner.Id}|{c.Header.Cpu}|{string.Join(",", c.Values.ToArray())}")).ToList();

    [Fact]
    public void OriginalJsonIsExactlyTheOriginalShape()
    {
        var data = Merge(Source("run.jsonl",
            Metric("A", Metrics.IdleAvailableBytes, 900, 1, 0),
            Metric("A", Metrics.IdleAvailableBytes, 901, 1, 1),
            Samples("A", Metrics.KernelPageAllocLatenciesNs, [3, 1, 2], 1, 0),
            Samples("A", Metrics.KernelPageAllocLatenciesNs, [5], 1, 1),
            Metric("A", Metrics.KernelAllocFailures, 0, 1)));
        var ms = new MemoryStream();
        new OriginalExporter().Export(new ReportContent(data, []), ms);
        Assert.Equal(
            "{\"idle_available_bytes_order1\":[900,901],\"kernel_alloc_failures_order1\":[0],\"kernel_page_alloc_latencies_ns_order1\":[3,1,2,5]}",
            Encoding.UTF8.GetString(ms.ToArray()));
    }

    [Fact]
    public void OriginalJsonRoundTripsThroughTheImporter()
    {
        var data = Sample();
        var ms = new MemoryStream();
        new OriginalExporter().Export(new ReportContent(data, []), ms);
        var imported = Merge(InputSource.FromBytes("out.json", ms.ToArray()));
        Assert.Empty(imported.Problems);
        Dictionary<string, long[]> Arrays(MergedData d) => d.AllSeries
            .GroupBy(s => MetricNames.OriginalKey(s.Key.Metric, s.Key.Order))
            .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Items).SelectMany(c => c.Values.ToArray()).ToArray());
        var before = Arrays(data);
        var after = Arrays(imported);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var key in before.Keys) Assert.Equal(before[key], after[key]);
        // Imported again, the composite is taken as measured and not computed twice.
        Assert.Empty(imported.Derived);
    }

    [Fact]
    public void OutputPathIsReplacedAtomically()
    {
        using var temp = new TempDir("pab-report-");
        string dir = temp.Path;
        string path = Path.Combine(dir, "results.json");
        string input = Path.Combine(dir, "run.jsonl");
        File.WriteAllText(input, string.Join("\n", SmallRun().Select(Line)) + "\n");
        File.WriteAllText(path, "old");
        Assert.Equal(0, ReportCli.Run([input, "--output-path", path, "--format", "csv"], new MemoryStream(), new StringWriter()));
        using (var doc = JsonDocument.Parse(File.ReadAllText(path)))
            Assert.Equal(5, doc.RootElement.GetProperty("idle_available_bytes").GetArrayLength());
        Assert.Equal(["results.json", "run.jsonl"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TextShowsTheAntagonistsExactFigures()
    {
        Record Cpu(int cpu, double p50, double p99, double max)
        {
            var r = Samples("A", Metrics.KernelPageFreeLatenciesNs, [100, 200], 2, cpu);
            r.Population = 1_000_000;
            r.Details = new() { ["p50_ns"] = p50, ["p99_ns"] = p99, ["p99_9_ns"] = p99 * 2, ["max_ns"] = max };
            return r;
        }
        string text = Export(ReportFormat.Text, Merge(Source("r", Cpu(0, 300, 2_000, 40_000), Cpu(1, 320, 2_500, 90_000), Cpu(2, 310, 1_000, 10_000))));
        string row = text.Split('\n').Single(l => l.StartsWith(Metrics.KernelPageFreeLatenciesNs) && l.Contains("3,000,000"));
        Assert.Matches(@"3,000,000\s+310 ns\s+2.50 µs\s+5.00 µs\s+90.0 µs$", row);
    }

    [Theory]
    [InlineData(512, Units.Bytes, "512 B")]
    [InlineData(3 * 1048576.0, Units.Bytes, "3.00 MiB")]
    [InlineData(812, Units.Nanoseconds, "812 ns")]
    [InlineData(0, Units.Nanoseconds, "0 ns")]
    [InlineData(12_345, Units.Nanoseconds, "12.3 µs")]
    [InlineData(2_500_000, Units.Nanoseconds, "2.50 ms")]
    [InlineData(42, Units.Count, "42")]
    [InlineData(double.NaN, Units.Count, "-")]
    public void UnitsAreFormattedForPeople(double value, string unit, string expected) =>
        Assert.Equal(expected, UnitFormat.Format(value, unit));
}
