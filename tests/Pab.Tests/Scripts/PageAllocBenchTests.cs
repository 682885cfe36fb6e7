namespace Pab.Tests.Scripts;

/// <summary>scripts/page-alloc-bench on the host, where no module can be loaded: the paths that need no VM.</summary>
public sealed class PageAllocBenchTests
{
    [Fact]
    public void AFailedLoadStopsTheAntagonistStartedBesideItAndTheRun()
    {
        PublishedTools.Of("pab-load"); // the script takes the tools from build/bin
        using var dir = new TempDir("pab-bench-load");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // The load fails on any host (no such file); the antagonist, started beside it, would wait for the module.
        var r = Exec.Run("sh", [RepoPaths.Of("scripts", "page-alloc-bench"), "--iterations", "1",
            "--ko", "/nonexistent/page_alloc_bench.ko", "--records", dir.Of("run.jsonl")], TimeSpan.FromMinutes(5));
        Assert.Equal(2, r.Code);
        Assert.Contains("page-alloc-bench: could not load the module (see above)", r.Stderr);
        Assert.DoesNotContain("Terminated", r.Stderr);
        Assert.DoesNotContain("Unhandled exception", r.Stderr);
        Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2), $"took {sw.Elapsed}: the antagonist waited for the module instead of being stopped");
        Assert.DoesNotContain("\"type\":\"metric\"", File.ReadAllText(dir.Of("run.jsonl")));
    }

    [Theory]
    [InlineData("--probe-count", "9x", "--probe-count '9x' is not a whole number")]
    [InlineData("--probe-count=", "", "--probe-count '' is not a whole number")]
    [InlineData("--probe-order=9;x", "", "--probe-order '9;x' is not a whole number")]
    [InlineData("--probe-count", "1 --no-hold-limit", "--probe-count '1 --no-hold-limit' is not a whole number")]
    public void ProbeValuesAreWholeNumbersBeforeAnythingRuns(string flag, string value, string message)
    {
        using var dir = new TempDir("pab-bench-probe");
        string[] args = value.Length > 0 ? [flag, value] : [flag];
        var r = Exec.Run("sh", [RepoPaths.Of("scripts", "page-alloc-bench"), .. args, "--records", dir.Of("run.jsonl")], TimeSpan.FromMinutes(1));
        Assert.Equal(2, r.Code);
        Assert.Contains("page-alloc-bench: " + message, r.Stderr);
        Assert.False(File.Exists(dir.Of("run.jsonl")), "a record file was made before the options were checked");
    }

    [Fact]
    public void KernelAccountTakesTrueOrFalseAndSaysSoOtherwise()
    {
        using var dir = new TempDir("pab-bench-account");
        var r = Exec.Run("sh", [RepoPaths.Of("scripts", "page-alloc-bench"), "--kernel-account=maybe", "--records", dir.Of("run.jsonl")], TimeSpan.FromMinutes(1));
        Assert.Equal(2, r.Code);
        Assert.Contains("page-alloc-bench: --kernel-account 'maybe' must be true or false", r.Stderr);
        Assert.Contains("--kernel-account=true|false", Exec.Run("sh", [RepoPaths.Of("scripts", "page-alloc-bench"), "--help"], TimeSpan.FromMinutes(1)).Stdout);
    }

    [Fact]
    public void ItsRunIdHasTheFormTheToolsMakeTheirsIn()
    {
        PublishedTools.Of("pab-load");
        using var dir = new TempDir("pab-bench-runid");
        var r = Exec.Run("env", ["-u", Pab.Common.RunContext.RunIdVariable, "sh", RepoPaths.Of("scripts", "page-alloc-bench"), "--iterations", "1",
            "--ko", "/nonexistent/page_alloc_bench.ko", "--records", dir.Of("run.jsonl")], TimeSpan.FromMinutes(5));
        var id = System.Text.RegularExpressions.Regex.Match(r.Stderr, @": run (\S+), orders ");
        Assert.True(id.Success, r.Stderr);
        // Time to the second, then the process id: the same form, so runs sort alike whoever named them.
        const string form = @"^\d{8}T\d{6}Z-\d+$";
        Assert.Matches(form, id.Groups[1].Value);
        Assert.Matches(form, Pab.Common.RunContext.NewRunId());
    }
}
