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

    private static int OnlineCpus() => Pab.Common.CpuList.Parse(File.ReadAllText("/sys/devices/system/cpu/online").Trim()).Length;

    [Theory]
    [InlineData("0", "--antagonist-cpus: a count must be 1 or more (got 0)")]
    [InlineData("9999", "--antagonist-cpus: 9999 is more than the")]
    [InlineData("1,x", "--antagonist-cpus '1,x' is not a comma-separated list of CPU counts")]
    [InlineData("1,,2", "--antagonist-cpus '1,,2' is not a comma-separated list of CPU counts")]
    [InlineData("1,01", "--antagonist-cpus: 1 is given twice")]
    [InlineData("", "--antagonist-cpus needs a value")]
    public void BadCpuCountsNameTheFlagAndExit2BeforeAnythingRuns(string counts, string message)
    {
        using var dir = new TempDir("pab-bench-sweep");
        var r = Exec.Run("sh", [RepoPaths.Of("scripts", "page-alloc-bench"), "--antagonist-cpus", counts,
            "--ko", "/nonexistent/page_alloc_bench.ko", "--records", dir.Of("run.jsonl")], TimeSpan.FromMinutes(2));
        Assert.Equal(2, r.Code);
        Assert.Contains("page-alloc-bench: " + message, r.Stderr);
        Assert.False(File.Exists(dir.Of("run.jsonl")), "nothing is started for a bad count");
    }

    [Fact]
    public void SweepIsThePowersOfTwoUpToTheOnlineCpusAndAllOfThem()
    {
        PublishedTools.Of("pab-load");
        int online = OnlineCpus();
        var expected = new List<int>();
        for (int c = 1; c < online; c *= 2) expected.Add(c);
        expected.Add(online);
        using var dir = new TempDir("pab-bench-sweep");
        var r = Exec.Run("sh", [RepoPaths.Of("scripts", "page-alloc-bench"), "--iterations", "1", "--antagonist-cpus", "sweep",
            "--ko", "/nonexistent/page_alloc_bench.ko", "--records", dir.Of("run.jsonl")], TimeSpan.FromMinutes(5));
        Assert.Contains($", antagonist CPU counts {string.Join(',', expected)}; records in", r.Stderr);
    }
}
