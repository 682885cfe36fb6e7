using Pab.Tests.Vm;
using Xunit.Abstractions;

namespace Pab.Tests.Scripts;

/// <summary>scripts/compare-kernels: the boot order and its usage errors, without booting anything.</summary>
public sealed class CompareKernelsTests
{
    private static readonly string Script = RepoPaths.Of("scripts", "compare-kernels");

    internal static Exec.Result Run(params string[] args) => Exec.Run(Script, args, TimeSpan.FromMinutes(40));

    [Fact]
    public void RoundsBalanceDriftBetweenSides()
    {
        var r = Run("--dry-run", "--rounds", "4", "a=bookworm", "b=bookworm+init_on_alloc=0");
        Assert.Equal(0, r.Code);
        Assert.Equal(["round 1: a b", "round 2: b a", "round 3: b a", "round 4: a b"], r.Stdout.TrimEnd().Split('\n'));
        // Every side is first and last equally often over rounds 1 to 6 with three sides.
        var three = Run("--dry-run", "--rounds", "6", "a=bookworm", "b=trixie", "c=sid").Stdout.TrimEnd().Split('\n');
        var firsts = three.Select(l => l.Split(' ')[2]).GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 2, ["c"] = 2 }, firsts);
    }

    [Fact]
    public void ASidesOwnOptionsFollowItsKernelAfterASpaceAndComeAfterTheCommonOnes()
    {
        var r = Run("--dry-run", "--rounds", "2", "on=bookworm", "off=bookworm+init_on_alloc=0  --no-kernel-account\t--iterations 2", "--", "--iterations", "3");
        Assert.True(r.Code == 0, r.Output);
        // The kernel part is unchanged (the boot order names the side); only the side with options has a line.
        Assert.Equal(["round 1: on off", "round 2: off on", "side off: page-alloc-bench --iterations 3 --no-kernel-account --iterations 2"],
            r.Stdout.TrimEnd().Split('\n'));
        // Without options after --, the defaults are the common part.
        var d = Run("--dry-run", "--rounds", "1", "on=bookworm", "off=bookworm --no-kernel-account");
        Assert.Equal("side off: page-alloc-bench --iterations 5 --alloc-orders 0,4 --no-kernel-account", d.Stdout.TrimEnd().Split('\n')[^1]);
    }

    [Theory]
    [InlineData(new[] { "a=bookworm", "b=bookworm no-dash" }, "side b: 'no-dash' is not a page-alloc-bench option")]
    [InlineData(new[] { "a=bookworm", "b=bookworm   " }, "side b: nothing after the kernel but white space")]
    [InlineData(new[] { "a=bookworm", "b=bookworm --records x" }, "side b: --records is compare-kernels' own")]
    [InlineData(new[] { "a=bookworm", "b=bookworm --run-id=x" }, "side b: --run-id is compare-kernels' own")]
    [InlineData(new[] { "a=bookworm", "b=Not_A_Suite --no-kernel-account" }, "neither a Debian suite nor BZIMAGE:KDIR")]
    [InlineData(new[] { "a=bookworm" }, "give at least two sides")]
    [InlineData(new[] { "a=bookworm", "a=trixie" }, "side name 'a' given twice")]
    [InlineData(new[] { "a=bookworm", "b=/nonexistent/bzImage:/tmp" }, "kernel image '/nonexistent/bzImage' does not exist")]
    [InlineData(new[] { "a=bookworm", "b=Not_A_Suite" }, "neither a Debian suite nor BZIMAGE:KDIR")]
    [InlineData(new[] { "--rounds", "0", "a=bookworm", "b=trixie" }, "--rounds must be a positive whole number")]
    [InlineData(new[] { "--bogus", "a=bookworm", "b=trixie" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--resume", "/nonexistent" }, "no plan file there")]
    [InlineData(new[] { "a=bookworm", "b=trixie", "--", "--antagonist-cpus", "1,2,4" }, "--antagonist-cpus 1,2,4: 4 is more than the guest's 2 CPUs (--cpus)")]
    public void BadUsageSaysWhatAndExits2(string[] args, string message)
    {
        var r = Run(args);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Stderr);
        Assert.Empty(r.Stdout);
    }
}

/// <summary>scripts/compare-kernels for real: two kernels, one round each, then a resume.</summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class CompareKernelsVmTests(ITestOutputHelper output)
{
    private static Exec.Result Run(params string[] args) => CompareKernelsTests.Run(args);

    [VmFact]
    public void TwoKernelsOneRoundThenAResumeRunsOnlyTheMissingBoot()
    {
        using var temp = new TempDir("pab-compare-kernels-");
        string dir = Path.Combine(temp.Path, "out");
        string[] bench = ["--", "--iterations", "1", "--alloc-orders", "0"];
        // noinit also has an option of its own: its boots run without the kernel's account.
        var r = Run(["--rounds", "1", "--out", dir, "base=bookworm", "noinit=bookworm+init_on_alloc=0 --no-kernel-account", .. bench]);
        output.WriteLine(r.Output);
        Assert.True(r.Code == 0, r.Output);
        foreach (string side in new[] { "base", "noinit" })
        {
            string records = File.ReadAllText(Path.Combine(dir, side, "round-1.jsonl"));
            Assert.Contains($"\"run\":\"{side}-round-1-", records);
            Assert.Contains("antagonized_available_bytes", records);
        }
        Assert.Contains("init_on_alloc=0", File.ReadAllText(Path.Combine(dir, "noinit", "round-1.jsonl")));
        AssertKernelAccount(dir, "base", true);
        AssertKernelAccount(dir, "noinit", false);
        Assert.Contains("round 1/1, noinit: done", r.Stderr);
        Assert.Contains("left", r.Stderr);
        // One boot a side: a table, but no verdict.
        Assert.Contains("idle_available_bytes", r.Stdout);
        Assert.Contains("one run a side: no verdict", r.Stdout);
        Assert.Contains("command line +init_on_alloc=0", r.Stdout);
        foreach (string f in new[] { "compare.txt", "compare.md", "compare.html" })
            Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 0, $"{f} missing or empty");

        // An interrupted experiment: one boot's records are gone; --resume boots only that side.
        File.Delete(Path.Combine(dir, "noinit", "round-1.jsonl"));
        var resumed = Run("--resume", dir);
        output.WriteLine(resumed.Output);
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains("1 boot(s) to run", resumed.Stderr);
        Assert.DoesNotContain("base: done", resumed.Stderr);
        Assert.True(File.Exists(Path.Combine(dir, "noinit", "round-1.jsonl")));
        // The side's own option came back from the plan.
        AssertKernelAccount(dir, "noinit", false);
    }

    /// <summary>pab-exhaust's meta says whether it recorded the kernel's account, and the records agree.</summary>
    private static void AssertKernelAccount(string dir, string side, bool on)
    {
        string records = File.ReadAllText(Path.Combine(dir, side, "round-1.jsonl"));
        Assert.Contains($"\"kernel_account\":\"{(on ? "true" : "false")}\"", records);
        Assert.Equal(on, records.Contains("\"idle_vmstat_", StringComparison.Ordinal));
        Assert.Equal(on, records.Contains("\"antagonized_free_bytes_end\"", StringComparison.Ordinal));
        Assert.Equal(on, records.Contains("\"vmstat_", StringComparison.Ordinal));
    }
}
