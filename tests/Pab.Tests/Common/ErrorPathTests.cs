using System.CommandLine;
using Pab.Common;
using Pab.Common.Cli;

namespace Pab.Tests.Common;

/// <summary>
/// docs/conventions.md, held against the published tools: usage errors exit 2 with nothing on stdout
/// and a line naming the flag on stderr; no input, argument or stream state makes a stack trace, a
/// .NET type name or an internal error reach the user.
/// </summary>
public sealed class ErrorPathTests : IDisposable
{
    private readonly TempDir _dir = new("pab-error-paths");

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string[], string> UsageErrors => new()
    {
        { "pab-load", [], "a command is needed" },
        { "pab-load", ["inset"], "unknown command 'inset' (did you mean 'insert'?)" },
        { "pab-load", ["insert", "--bogus"], "unknown option '--bogus'" },
        { "pab-load", ["insert", "--ko"], "--ko: missing value" },
        { "pab-load", ["insert", "--ko", "/tmp"], "--ko /tmp: is a directory" },
        { "pab-load", ["status", "extra"], "unexpected argument 'extra'" },
        { "pab-exhaust", ["--iteration", "5"], "unknown option '--iteration' (did you mean '--iterations'?)" },
        { "pab-exhaust", ["--iterations"], "--iterations: missing value" },
        { "pab-exhaust", ["--iterations", "x"], "--iterations 'x': not a whole number" },
        { "pab-exhaust", ["--iterations", "1180591620717411303424"], "--iterations 1180591620717411303424: out of range (1 to 1000000)" },
        { "pab-exhaust", ["--order", "99"], "--order 99: out of range (0 to 20)" },
        { "pab-exhaust", ["--chunk", "12Q"], "--chunk" },
        { "pab-exhaust", ["--max-bytes", "-5"], "--max-bytes" },
        { "pab-exhaust", ["--label", "Bad Label"], "--label" },
        { "pab-exhaust", ["--iterations", "1", "--iterations", "2"], "--iterations: given more than once" },
        { "pab-antagonize", [], "--order is required" },
        { "pab-antagonize", ["--bogus"], "unknown option '--bogus'" },
        { "pab-antagonize", ["--order", "0", "--bogus"], "unknown option '--bogus'" },
        { "pab-antagonize", ["--order", "0", "--latencies", "yes"], "unexpected argument 'yes': a COMMAND goes after '--'" },
        { "pab-antagonize", ["--order", "x"], "--order 'x': not a whole number" },
        { "pab-antagonize", ["--order", "1180591620717411303424"], "--order 1180591620717411303424: out of range (0 to 20)" },
        { "pab-antagonize", ["--order", "0", "--seed", "-1"], "--seed -1: out of range" },
        { "pab-antagonize", ["--order", "0", "--selftest", "99999999999"], "--selftest 99999999999: out of range (1 to 4294967296)" },
        { "pab-antagonize", ["--order", "0", "--cpus", "1-"], "--cpus 1-" },
        { "pab-antagonize", ["--order", "0", "--duration", "soon"], "--duration" },
        { "pab-antagonize", ["--order", "0", "--duration", "1s", "--", "true"], "--duration: not with a COMMAND" },
        { "pab-report", ["--bogus"], "unknown option '--bogus'" },
        { "pab-load", ["remove", "--force=maybe"], "unexpected argument 'maybe'" },
        { "pab-exhaust", ["--chunk", "99999999999T"], "--chunk: '99999999999T' is too large" },
        { "pab-antagonize", ["--order", "0", "--samples", "2147483648"], "--samples 2147483648: out of range (0 to 2147483647)" },
        { "pab-antagonize", ["--order", "0", "--order", "1"], "--order: given more than once (0, 1)" },
        { "pab-report", ["compare", "base=", "new=x"], "side 'base=': 'base=' names no file" },
        { "pab-report", ["-x"], "unknown option '-x'" },
        { "pab-report", ["--format", "xml"], "--format 'xml': not one of text, jsonl, csv, markdown" },
        { "pab-report", ["--format"], "--format: missing value" },
        { "pab-report", ["--keep", "sometimes"], "--keep 'sometimes': not one of latest, all" },
        { "pab-report", ["compare"], "SIDES: needs at least 2 values" },
        { "pab-report", ["compare", "a", "b", "--alpha", "2"], "--alpha 2: out of range (more than 0 and less than 1)" },
        { "pab-report", ["compare", "a", "b", "--min-change", "x"], "--min-change 'x': not a number" },
        { "pab-report", ["compare", "a", "b", "--exprt-json", "x"], "unknown option '--exprt-json' (did you mean '--export-json'?)" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void UsageErrorsExit2WithNothingOnStdout(string tool, string[] args, string said)
    {
        var r = Exec.Run(PublishedTools.Of(tool), args, TimeSpan.FromSeconds(60));
        AssertNoLeak(r);
        Assert.True(r.Code == (int)ExitCode.Usage, $"exit {r.Code}, not 2:\n{r.Output}");
        Assert.Equal("", r.Stdout);
        Assert.Contains(said, r.Stderr);
        Assert.Contains("see --help", r.Stderr);
    }

    [Theory]
    [InlineData("pab-load")]
    [InlineData("pab-exhaust")]
    [InlineData("pab-antagonize")]
    [InlineData("pab-report")]
    public void HelpAndVersionGoToStdoutAndEndWithTheExitCodes(string tool)
    {
        var help = Exec.Run(PublishedTools.Of(tool), ["--help"], TimeSpan.FromSeconds(60));
        Assert.True(help.Code == 0, help.Output);
        Assert.Equal("", help.Stderr);
        Assert.Contains("Usage:", help.Stdout);
        Assert.Contains("Exit codes:", help.Stdout);
        Assert.Contains("    2  usage error", help.Stdout);
        Assert.Contains("docs/conventions.md", help.Stdout);
        var version = Exec.Run(PublishedTools.Of(tool), ["--version"], TimeSpan.FromSeconds(60));
        Assert.True(version.Code == 0, version.Output);
        Assert.Equal("", version.Stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout);
    }

    [Fact]
    public void TheWrappedCommandKeepsItsOwnOptionsAfterDoubleDash()
    {
        string[] args = ["--order", "0", "--", "pab-exhaust", "--iterations", "3", "--not-ours"];
        var pr = Pab.Antagonize.AntagonizeCommand.Build().Parse(args);
        Assert.Empty(pr.Errors);
        Assert.Null(Pab.Antagonize.AntagonizeCommand.Validate(pr, out var options));
        Assert.Equal(["pab-exhaust", "--iterations", "3", "--not-ours"], options!.Command);

        // The published tool gets past its command line to the module check (no module on this host).
        var r = Exec.Run(PublishedTools.Of("pab-antagonize"), args, TimeSpan.FromSeconds(60));
        AssertNoLeak(r);
        Assert.NotEqual((int)ExitCode.Usage, r.Code);
        Assert.DoesNotContain("unknown option", r.Stderr);
    }

    /// <summary>Runs through sh for what an argument list cannot say: redirections, a closed stdout, the environment.</summary>
    private static Exec.Result Shell(string script) =>
        Exec.Run("/bin/sh", ["-c", $"PATH={PublishedTools.Dir}:$PATH; {script}"], TimeSpan.FromSeconds(120));

    public static TheoryData<string, int> BadStreamsAndInputs => new()
    {
        { "pab-report /nonexistent.jsonl", 1 },
        { "pab-report /tmp", 1 },
        { "pab-report -- -x", 1 },
        { "pab-report - < /", 1 },
        { "pab-report --format jsonl \"$D/good.jsonl\" >&-", 1 },
        { "pab-report --format text \"$D/good.jsonl\" --output-path /tmp", 1 },
        { "pab-report --format text \"$D/good.jsonl\" --html /tmp", 1 },
        { "pab-report compare \"$D/good.jsonl\" /nonexistent.jsonl", 2 },
        { "pab-report compare \"$D/good.jsonl\" \"$D/good.jsonl\" --export-json /tmp", 1 },
        { "pab-report \"$D/binary\"", 1 },
        { "pab-report @missing", 1 },
        { "PAB_ORDER=x pab-exhaust --max-bytes 1M", 2 },
        { "PAB_LABEL='no good' pab-exhaust --max-bytes 1M", 2 },
        { "pab-load insert --ko /nonexistent.ko", -1 },
        { "pab-antagonize --order 0 --cpus 0,4000", 12 },
        { "pab-load --help >&-", -1 },
        { "pab-report --help >&-", -1 },
    };

    /// <summary>-1: any non-crash exit; the point is what the user reads.</summary>
    [Theory]
    [MemberData(nameof(BadStreamsAndInputs))]
    public void BadStreamsAndInputsAreSaidInOneLine(string script, int code)
    {
        // Two records from a real run (fixtures/calibration), enough for a report.
        var fixture = File.ReadLines(RepoPaths.Of("tests", "Pab.Tests", "Report", "fixtures", "calibration", "a", "round-1.jsonl"))
            .Where(l => l.Contains("\"type\":\"meta\"") || l.Contains("\"metric\":\"idle_available_bytes\"")).Take(3);
        File.WriteAllLines(_dir.Of("good.jsonl"), fixture);
        File.WriteAllBytes(_dir.Of("binary"), [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0xff, 0xfe, 0x00, 0x0a, 0x13]);
        var r = Shell($"D={_dir.Path}; {script}");
        AssertNoLeak(r);
        Assert.NotEqual((int)ExitCode.InternalError, r.Code);
        if (code >= 0) Assert.True(r.Code == code, $"exit {r.Code}, not {code}:\n{r.Output}");
    }

    [Fact]
    public void AUsageRefusalAfterParsingWritesNoRecord()
    {
        // pab-antagonize's hold limit is a usage error found once the machine is known (it needs the module to get there).
        var records = new MemoryStream();
        var log = new StringWriter();
        var output = new Pab.Antagonize.RunOutput(new RecordWriter(records, "pab-antagonize"), log, 0);
        Assert.Equal((int)ExitCode.Usage, output.Fail(new Pab.Antagonize.Refusal(ExitCode.Usage, "--middle: too much")));
        Assert.Equal(0, records.Length);
        Assert.Equal("pab-antagonize: --middle: too much\npab-antagonize: see --help\n", log.ToString());

        Assert.Equal((int)ExitCode.NotLoaded, output.Fail(new Pab.Antagonize.Refusal(ExitCode.NotLoaded, "not loaded")));
        Assert.Contains("\"event\":\"error\"", System.Text.Encoding.UTF8.GetString(records.ToArray()));
    }

    [Fact]
    public void AnUnexpectedExceptionIsOneLineAndExit70()
    {
        var root = new RootCommand("test");
        root.SetAction(int (_) => throw new InvalidOperationException("the frobnicator is unwell"));
        var stderr = new StringWriter();
        int code = new ToolCli("pab-test", root) { Output = new StringWriter(), Error = stderr, Debug = false }.Run([]);
        Assert.Equal((int)ExitCode.InternalError, code);
        Assert.Equal("pab-test: internal error: the frobnicator is unwell (please report; PAB_DEBUG=1 shows where)\n", stderr.ToString());

        stderr = new StringWriter();
        code = new ToolCli("pab-test", root) { Output = new StringWriter(), Error = stderr, Debug = true }.Run([]);
        Assert.Equal((int)ExitCode.InternalError, code);
        Assert.Contains("System.InvalidOperationException", stderr.ToString());
        Assert.Contains("   at ", stderr.ToString());
    }

    private static void AssertNoLeak(Exec.Result r)
    {
        Assert.False(r.Output.Contains("Unhandled exception", StringComparison.Ordinal), r.Output);
        Assert.False(r.Output.Contains("   at ", StringComparison.Ordinal), r.Output);
        Assert.False(r.Output.Contains("System.", StringComparison.Ordinal), r.Output);
        Assert.False(r.Output.Contains("internal error", StringComparison.Ordinal), r.Output);
        Assert.False(r.Output.Contains("Access to the path", StringComparison.Ordinal), r.Output);
    }
}
