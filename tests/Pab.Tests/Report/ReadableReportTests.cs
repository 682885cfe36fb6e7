using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Merge;
using Pab.Report.Summaries;
using Pab.Report.Compare;
using Pab.Report.Export;
using Pab.Report.Commands;

namespace Pab.Tests.Report;

/// <summary>The report a person reads: digits, separators, one-value metrics, what is missing, defaults, exports, colour.</summary>
public sealed partial class ReadableReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pab-report-read-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Text(MergedData data, bool markdown = false)
    {
        var ms = new MemoryStream();
        Exporters.For(markdown ? ReportFormat.Markdown : ReportFormat.Text).Export(new ReportContent(data, Advice.For(data)), ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static (int Code, string Stdout, string Stderr) Run(string[] args, Ansi? stdoutColour = null, Ansi? stderrColour = null)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = ReportCli.Run(args, stdout, stderr, stdoutColour, stderrColour);
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    private string WriteRecords(string name, params Record[] records)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join("\n", records.Select(Line)) + "\n");
        return path;
    }

    private static string Row(string text, string startsWith) =>
        text.Split('\n').First(l => l.StartsWith(startsWith, StringComparison.Ordinal));

    // idle order 4 as seen in a trial: every value ~826 MiB, one of them an outlier 0.3 MiB off.
    private static Record[] Idle826() =>
        new long[] { 866_123_776, 866_150_400, 866_138_112, 866_129_920, 866_144_256, 866_441_216 }
            .Select((v, i) => Metric("A", Metrics.IdleAvailableBytes, v, 4, i, "idle")).ToArray();

    [Fact]
    public void DigitsFollowTheSpreadSoTheOutlierReadsDifferently()
    {
        var data = Merge(Source("r", Idle826()));
        string row = Row(Text(data), "idle_available_bytes");
        var cells = Regex.Split(row.Trim(), @"\s{2,}");
        string median = cells[6], min = cells[8], max = cells[9];
        Assert.NotEqual(min, max);
        Assert.NotEqual(median, max);
        Assert.Matches(@"^826\.\d\d MiB$", median);
        // The warning names the outlier as the table shows it.
        var warning = Assert.Single(Advice.For(data));
        Assert.Contains($"1 of 6 values is an outlier (MAD-based score > 3.5: {max} at iteration 5)", warning.Message);
        // Without noise (equal values) three digits stay.
        Assert.Equal("47.7 MiB", UnitFormat.Format(50_000_000, Units.Bytes, double.NaN));
        Assert.Equal("826.02 MiB", UnitFormat.Format(866_144_256, Units.Bytes, 20_000.0));
    }

    [GeneratedRegex(@"(?<![\d.,])\d{4,}")]
    private static partial Regex UnseparatedNumber();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThousandsAreSeparatedInEveryFigure(bool markdown)
    {
        var records = SmallRun().Append(Metric("A", Metrics.KernelPageAllocs, 113_898, 5, label: "antagonized", tool: "pab-antagonize"))
            .Append(Metric("A", Metrics.KernelAllocFailures, 12_345, 5, label: "antagonized", tool: "pab-antagonize")).ToArray();
        var data = Merge(Source("r", records));
        string text = Text(data, markdown);
        Assert.Contains("113,898", text);
        Assert.Contains("2,000", text);
        // Past the run headings (dates, versions), no figure of four digits or more goes unseparated.
        string results = text[text.IndexOf("Results", StringComparison.Ordinal)..];
        Assert.Empty(UnseparatedNumber().Matches(results).Select(m => m.Value));
        Assert.Contains(Advice.For(data), w => w.Message.Contains("failed 12,345 allocation(s)"));
    }

    [Fact]
    public void TheSummaryOnStandardErrorSeparatesThousandsToo()
    {
        var many = Enumerable.Range(0, 1234).Select(i => Metric("A", Metrics.IdleAvailableBytes, 900_000_000 + i, iteration: i, label: "idle")).ToArray();
        var (code, _, stderr) = Run([WriteRecords("many.jsonl", many)]);
        Assert.True(code == 0, stderr);
        Assert.Contains("pab-report: 1,234 record(s) read from 1 input(s) in 1 run(s): 1,234 merged", stderr);
        Assert.Contains("1,234 value(s) kept", stderr);
    }

    [Fact]
    public void OneValueMetricsHaveACompactTableWithoutSpreadColumns()
    {
        string text = Text(Merge(Source("r", SmallRun())));
        int results = text.IndexOf("Results:", StringComparison.Ordinal), once = text.IndexOf("Measured once per run", StringComparison.Ordinal);
        Assert.True(once > results);
        string main = text[results..once], compact = text[once..text.IndexOf("Whole population", StringComparison.Ordinal)];
        Assert.DoesNotContain("kernel_page_allocs", main);
        Assert.DoesNotContain("kernel_held_bytes", main);
        Assert.Contains("idle_available_bytes", main);
        string header = compact.Split('\n')[1];
        Assert.Equal(["metric", "order", "runs", "value"], Regex.Split(header.Trim(), @"\s+"));
        Assert.Matches(@"kernel_page_allocs\s+3\s+1\s+123,459", compact);
        Assert.Matches(@"kernel_held_bytes\s+0\s+1\s+47\.7 MiB", compact);
    }

    [Fact]
    public void MissingDifferenceSaysWhichInputsWereMissing()
    {
        // No idle measurement in the run: antagonized and held bytes alone.
        var noIdle = SmallRun().Where(r => r.Metric != Metrics.IdleAvailableBytes).ToArray();
        var data = Merge(Source("r", noIdle));
        Assert.Empty(data.Derived);
        string text = Text(data);
        Assert.Contains("Not computed:", text);
        Assert.Contains("memory_available_diff_bytes order 0 (run A): not computed: the run has antagonized_available_bytes at order 0 but no idle_available_bytes", text);
        Assert.Contains("idle and antagonized available bytes at the same order and iteration in the same run", text);

        var noHeld = SmallRun().Where(r => !(r.Metric == Metrics.KernelHeldBytes && r.Order == 3)).ToArray();
        var held = Assert.Single(Merge(Source("r", noHeld)).NotComputed);
        Assert.Equal(3, held.Order);
        Assert.Contains("no kernel_held_bytes at order 3", held.Why);
        Assert.Empty(Merge(Source("r", SmallRun())).NotComputed);
    }

    [Fact]
    public void TextIsTheDefaultAndExportsAreWrittenBesideIt()
    {
        string input = WriteRecords("r.jsonl", SmallRun());
        string md = Path.Combine(_dir, "r.md"), csv = Path.Combine(_dir, "r.csv"), json = Path.Combine(_dir, "r.json"), jsonl = Path.Combine(_dir, "r.jsonl2");
        var (code, stdout, stderr) = Run([input, "--export-markdown", md, "--export-csv", csv, "--export-json", json, "--export-jsonl", jsonl]);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("Runs:\n", stdout);
        Assert.StartsWith("## page-alloc-bench results", File.ReadAllText(md));
        Assert.StartsWith(string.Join(",", CsvExporter.Columns) + "\n", File.ReadAllText(csv));
        using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)))
        {
            var row = doc.RootElement.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("metric").GetString() == Metrics.KernelPageAllocs);
            Assert.Equal(123_456, row.GetProperty("mean").GetDouble());
            Assert.True(row.GetProperty("one_value_per_run").GetBoolean());
        }
        Assert.Equal(SmallRun().Length + 10, File.ReadAllLines(jsonl).Length); // + the 10 computed differences
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));

        (code, _, stderr) = Run([input, "--export-csv", _dir]);
        Assert.Equal(1, code);
        Assert.Contains($"--export-csv {_dir}: cannot write: is a directory", stderr);
    }

    /// <summary>The real process with its output in a file, as `pab-report x > report.txt`.</summary>
    private (int Code, string Stdout, string Stderr) Process(Dictionary<string, string?> env, params string[] args)
    {
        string exe = PublishedTools.Of("pab-report");
        Assert.True(File.Exists(exe), $"{exe} not built");
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, err.Result);
    }

    [Fact]
    public void RedirectedOutputIsTheTextReportWithoutColour()
    {
        string input = WriteRecords("r.jsonl", SmallRun());
        var (code, stdout, stderr) = Process(new() { ["NO_COLOR"] = null, ["TERM"] = "xterm" }, input);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("Runs:\n", stdout);
        Assert.DoesNotContain("\u001b[", stdout + stderr);
    }

    private static (int Code, string Stdout, string Stderr) Shell(string command)
    {
        var psi = new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, err.Result);
    }

    [Fact]
    public void GzipOnStandardInputOfTheRealProcess()
    {
        string gz = Path.Combine(_dir, "r.jsonl.gz");
        using (var f = File.Create(gz))
        using (var z = new GZipStream(f, CompressionLevel.Fastest))
            z.Write(Encoding.UTF8.GetBytes(string.Join("\n", SmallRun().Select(Line)) + "\n"));
        var (code, stdout, stderr) = Shell($"exec '{PublishedTools.Of("pab-report")}' --format jsonl < '{gz}'");
        Assert.True(code == 0, stderr);
        Assert.Equal(SmallRun().Length + 10, stdout.TrimEnd('\n').Split('\n').Length); // + the 10 computed differences
    }

    [Fact]
    public void VerdictsAndWarningsAreColouredOnlyWhereAsked()
    {
        var rng = new Random(7);
        // Five runs a side, the new side's latencies clearly higher: a verdict.
        Record[] Side(string name, int shift) => Enumerable.Range(0, 5).SelectMany(run => Enumerable.Range(0, 5)
            .Select(i => Metric($"{name}{run}", Metrics.IdleAvailableBytes, 900_000_000 + shift + rng.Next(0, 1000) + i, iteration: i, label: "idle"))).ToArray();
        string a = WriteRecords("a.jsonl", Side("a", 0)), b = WriteRecords("b.jsonl", Side("b", 50_000_000));
        string md = Path.Combine(_dir, "c.md");
        var on = new Ansi(true);
        var (code, stdout, _) = Run(["compare", "a=" + a, "b=" + b, "--export-markdown", md], on, on);
        Assert.True(code == 0);
        // The verdict says which way is better beside higher or lower (more available bytes are).
        Assert.Contains("\u001b[1;33mhigher (better)\u001b[0m", stdout);
        Assert.DoesNotContain("\u001b[", File.ReadAllText(md));
        // Colour never shifts a column: without the codes the table is the uncoloured one.
        var (_, plain, _) = Run(["compare", "a=" + a, "b=" + b]);
        Assert.Equal(plain, Regex.Replace(stdout, "\u001b\\[[0-9;]*m", ""));

        string few = WriteRecords("few.jsonl", Metric("A", Metrics.IdleAvailableBytes, 1, iteration: 0, label: "idle"));
        var (_, _, stderr) = Run([few], on, on);
        Assert.Contains("pab-report: \u001b[33mwarning\u001b[0m: ", stderr);
        (_, _, stderr) = Run([few]);
        Assert.DoesNotContain("\u001b[", stderr);
    }

    [Fact]
    public void NoColorOrDumbTermTurnsColourOff()
    {
        Assert.True(Ansi.Wanted(_ => null));
        Assert.False(Ansi.Wanted(k => k == "NO_COLOR" ? "1" : null));
        Assert.False(Ansi.Wanted(k => k == "NO_COLOR" ? "0" : null)); // any non-empty value
        Assert.True(Ansi.Wanted(k => k == "NO_COLOR" ? "" : null));
        Assert.False(Ansi.Wanted(k => k == "TERM" ? "dumb" : null));
        Assert.False(Ansi.For(redirected: true).Enabled);
    }
}
