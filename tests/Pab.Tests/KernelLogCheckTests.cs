using System.Text.RegularExpressions;

namespace Pab.Tests;

/// <summary>
/// The kernel-log check fires on what the kernel and the module really print: every error the module's
/// source can log, rendered as the kernel would, and the kernel's own WARN and BUG headers; and it stays
/// quiet on the module's normal messages and on an OOM kill's report, which the benchmark causes.
/// </summary>
public partial class KernelLogCheckTests
{
    private static readonly string ModuleSource = File.ReadAllText(RepoPaths.Of("kmod", "page_alloc_bench.c"));

    // pr_err("...\n", ...) and friends; the format string is the first argument.
    [GeneratedRegex("""\b(pr_(?:emerg|alert|crit|err|warn|notice|info)(?:_ratelimited|_once)?)\(\s*"((?:[^"\\]|\\.)*)"(?:\s*"((?:[^"\\]|\\.)*)")*""")]
    private static partial Regex PrintCall();

    [GeneratedRegex(@"%[-+ #0]*\d*(?:hh|h|ll|l|z|t)?[diuxXsp]|%#[xX]")]
    private static partial Regex Conversion();

    /// <summary>Each message the module prints at the given levels, as a dmesg line: pr_fmt's "page_alloc_bench: " prefix, numbers for the conversions.</summary>
    private static List<string> ModuleMessages(params string[] levels)
    {
        Assert.Contains("#define pr_fmt(fmt) KBUILD_MODNAME \": \" fmt", ModuleSource);
        var lines = new List<string>();
        foreach (Match m in PrintCall().Matches(ModuleSource))
        {
            string level = m.Groups[1].Value.Split('_')[1];
            if (!levels.Contains(level)) continue;
            string format = string.Concat(m.Groups[2].Value, string.Concat(m.Groups[3].Captures.Select(c => c.Value)));
            string text = Conversion().Replace(format.Replace("\\n", ""), "7");
            lines.Add($"[   42.123456] page_alloc_bench: {text}");
        }
        return lines;
    }

    [Fact]
    public void FiresOnEveryErrorTheModuleCanPrint()
    {
        var errors = ModuleMessages("emerg", "alert", "crit", "err", "warn");
        Assert.NotEmpty(errors); // the unload's "… blocks still held at unload" at least
        Assert.Contains(errors, e => e.Contains("blocks still held at unload", StringComparison.Ordinal));
        foreach (string line in errors)
            Assert.True(KernelLogCheck.Problems("[    0.000000] Linux version 6.1.0\n" + line + "\n").SequenceEqual([line]),
                $"the check misses the module's error: {line}");
    }

    [Fact]
    public void StaysQuietOnTheModulesNormalMessages()
    {
        var normal = ModuleMessages("notice", "info");
        Assert.Contains(normal, l => l.Contains("version", StringComparison.Ordinal));
        Assert.Empty(KernelLogCheck.Problems(string.Join('\n', normal) + "\n"));
    }

    [Theory]
    [InlineData("[  123.456789] WARNING: CPU: 1 PID: 345 at mm/page_alloc.c:5525 __alloc_pages+0x2b0/0x330")]
    [InlineData("[  123.456789] BUG: Bad page state in process pab-antagonize  pfn:1a2b3")]
    [InlineData("[  123.456789] kernel BUG at mm/slub.c:431!")]
    [InlineData("[  123.456789] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI")]
    [InlineData("[  123.456789] Oops: 0000 [#1] PREEMPT SMP NOPTI")]
    [InlineData("[  123.456789] kworker/u4:2: page allocation failure: order:4, mode:0xcc0(GFP_KERNEL), nodemask=(null)")]
    public void FiresOnTheKernelsOwnComplaints(string line) =>
        Assert.Equal([line], KernelLogCheck.Problems($"[    1.000000] booted\n{line}\n[  124.000000] after\n"));

    [Fact]
    public void AnOomKillWithItsCallTraceIsNotAProblem()
    {
        const string oom = """
            [   61.100000] pab-exhaust invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=1000
            [   61.100001] CPU: 1 PID: 412 Comm: pab-exhaust Not tainted 6.1.0-26-amd64 #1  Debian 6.1.112-1
            [   61.100002] Call Trace:
            [   61.100003]  <TASK>
            [   61.100004]  dump_stack_lvl+0x44/0x5c
            [   61.100005]  oom_kill_process.cold+0xb/0x10
            [   61.100006]  </TASK>
            [   61.100007] Out of memory: Killed process 412 (pab-fill) total-vm:1234kB, anon-rss:987654kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:2000kB oom_score_adj:1000
            """;
        Assert.Empty(KernelLogCheck.Problems(oom + "\n"));
    }
}
