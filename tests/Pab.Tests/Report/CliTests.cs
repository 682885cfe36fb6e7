using System.Diagnostics;
using System.Text;
using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Merge;
using Pab.Report.Export;
using Pab.Report.Commands;

namespace Pab.Tests.Report;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pab-report-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteRecords(string name, params Record[] records) => Write(name, string.Join("\n", records.Select(Line)) + "\n");

    [Fact]
    public void BadLineFailsAndWritesNothingToOutputPath()
    {
        string input = Write("bad.jsonl", Line(SmallRun()[1]) + "\n{oops\n");
        string output = Path.Combine(_dir, "out.json");
        var (code, stdout, stderr) = RunCli(input, "--output-path", output, "--format", "text");
        Assert.Equal(1, code);
        Assert.False(File.Exists(output));
        Assert.Equal("", stdout);
        Assert.Contains($"{input}:2: error: malformed record", stderr);
        Assert.Contains("--skip-bad", stderr);
        Assert.Contains("1 rejected", stderr);
    }

    [Fact]
    public void SkipBadReportsAndGoesOn()
    {
        string input = Write("bad.jsonl", Line(SmallRun()[1]) + "\n{oops\n");
        string output = Path.Combine(_dir, "out.json");
        var (code, stdout, stderr) = RunCli(input, "--skip-bad", "--output-path", output, "--format", "text");
        Assert.Equal(0, code);
        Assert.True(File.Exists(output));
        Assert.Contains("idle_available_bytes", stdout);
        Assert.Contains($"{input}:2: error: malformed record", stderr);
        Assert.Contains("2 record(s) read from 1 input(s) in 1 run(s): 1 merged, 0 replaced, 1 rejected", stderr);
    }

    [Fact]
    public void SummaryNamesReplacedKeys()
    {
        string full = WriteRecords("full.jsonl", SmallRun("A"));
        string rerun = WriteRecords("rerun.jsonl", Metric("A", Metrics.KernelPageAllocs, 1, 3, time: "2026-11-22T05:00:00Z"));
        var (code, _, stderr) = RunCli(full, rerun, "--format", "csv");
        Assert.Equal(0, code);
        Assert.Contains("1 replaced", stderr);
        Assert.Contains($"replaced: kernel_page_allocs order 3 of run A: 1 record(s), 1 value(s) replaced from {full} by later ones from {rerun}", stderr);
    }

    [Fact]
    public void FormatIsATypedChoice()
    {
        var (code, _, stderr) = RunCli("--format", "xml", WriteRecords("r.jsonl", SmallRun()));
        Assert.NotEqual(0, code);
        Assert.Contains("xml", stderr);
    }

    [Fact]
    public void CompareCommandWithNamedSides()
    {
        string a = WriteRecords("a.jsonl", SmallRun("A"));
        string b = WriteRecords("b.jsonl", SmallRun("B", "2026-11-22T03:00:00Z"));
        var (code, stdout, stderr) = RunCli("compare", $"base={a}", $"new={b}", "--format", "markdown");
        Assert.True(code == 0, stderr);
        Assert.Contains("| idle_available_bytes | - | base |", stdout);
        Assert.Contains("- base: 1 run from 1 file; Linux 6.1.0-56-amd64", stdout);
        Assert.Contains("| one run a side: no verdict |", stdout);
        Assert.DoesNotContain("| higher |", stdout);
        Assert.DoesNotContain("| lower |", stdout);

        string md = Path.Combine(_dir, "cmp.md"), json = Path.Combine(_dir, "cmp.json");
        (code, stdout, stderr) = RunCli("compare", $"base={a}", $"new={b}", "--export-markdown", md, "--export-json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("one run a side: no verdict", stdout);
        Assert.Contains("| idle_available_bytes | - | base |", File.ReadAllText(md));
        using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)))
        {
            var row = doc.RootElement.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("metric").GetString() == "idle_available_bytes");
            Assert.Equal("one_run_a_side", row.GetProperty("sides")[1].GetProperty("verdict").GetString());
            Assert.Equal("baseline", row.GetProperty("sides")[0].GetProperty("verdict").GetString());
        }
        string html = Path.Combine(_dir, "cmp.html");
        (code, _, stderr) = RunCli("compare", $"base={a}", $"new={b}", "--html", html);
        Assert.True(code == 0, stderr);
        var page = System.Xml.Linq.XDocument.Parse(File.ReadAllText(html).Replace("<!DOCTYPE html>", ""));
        var svgs = page.Descendants().Where(e => e.Name.LocalName == "svg").ToList();
        // One strip plot per compared row, one CDF per latency sample (2 orders), all with units on their axes.
        int rows = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("rows").GetArrayLength();
        Assert.Equal(rows + 2, svgs.Count);
        Assert.Contains(svgs, s => s.ToString().Contains("(MiB)"));
        Assert.Contains(svgs, s => s.ToString().Contains("log scale"));
        Assert.Contains("one run a side: no verdict", page.ToString());
        (code, _, stderr) = RunCli(a, b, "--html", html, "--format", "csv");
        Assert.True(code == 0, stderr);
        Assert.Contains("page-alloc-bench results: 2 run(s)", File.ReadAllText(html));

        (code, _, stderr) = RunCli("compare", $"base={a}", $"new={b}", "--export-json", _dir);
        Assert.Equal(1, code);
        Assert.Contains($"--export-json {_dir}: cannot write: is a directory", stderr);

        (code, _, stderr) = RunCli("compare", a);
        Assert.NotEqual(0, code);
        (code, _, stderr) = RunCli("compare", a, Path.Combine(_dir, "nope.jsonl"));
        Assert.Equal(2, code);
        Assert.Contains("nope.jsonl' does not exist", stderr);
        (code, _, stderr) = RunCli("compare", a, b, "--format", "csv");
        Assert.NotEqual(0, code);
        Assert.Contains("csv", stderr);
    }

    /// <summary>The real pab-report process, fed on a stdin pipe as in `pab-exhaust | pab-report`.</summary>
    [Fact]
    public async Task EndToEndProcessOnStdinPipe()
    {
        string exe = PublishedTools.Of("pab-report");
        Assert.True(File.Exists(exe), $"{exe} not built");
        string output = Path.Combine(_dir, "results.json");
        var psi = new ProcessStartInfo(exe, ["-", "--format", "text", "--output-path", output])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        foreach (var r in SmallRun()) p.StandardInput.Write(Line(r) + "\n");
        p.StandardInput.Write(Line(SmallRun()[1])[..30]); // killed writer: truncated last line
        p.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        string stdout = await stdoutTask, stderr = await stderrTask;
        Assert.True(p.ExitCode == 0, stderr);
        Assert.Contains("memory_available_diff_bytes", stdout);
        Assert.Contains("kernel_page_alloc_latencies_ns", stdout);
        Assert.Contains("<stdin>:", stderr);
        Assert.Contains("truncated last line", stderr);
        Assert.Contains($"{SmallRun().Length + 1} record(s) read", stderr);
        string json = File.ReadAllText(output);
        Assert.StartsWith("{\"antagonized_available_bytes_order0\":[800000000,801000000,", json);
    }

    [Fact]
    public void ChoiceNamesAreThoseCliValuesGives()
    {
        // Help names the enum options' choices as the parser takes them: lower case, in the order of their values.
        static string Choices<T>() where T : struct, Enum => $"<{string.Join('|', Pab.Common.Cli.CliValues.NamesOf<T>())}>";
        var (_, report, _) = RunCli("--help");
        Assert.Contains(Choices<Pab.Report.Export.ReportFormat>(), report);
        Assert.Contains(Choices<KeepPolicy>(), report);
        var (_, compare, _) = RunCli("compare", "--help");
        Assert.Contains(Choices<CompareFormat>(), compare);
        Assert.Equal(["latest", "all"], Pab.Common.Cli.CliValues.NamesOf<KeepPolicy>());
    }
}
