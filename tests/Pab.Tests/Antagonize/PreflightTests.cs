using Pab.Antagonize;
using Pab.Common;

namespace Pab.Tests.Antagonize;

public sealed class PreflightTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pab-sysfs").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private Topology Machine(string online)
    {
        Directory.CreateDirectory(Path.Combine(_root, "devices/system/cpu"));
        File.WriteAllText(Path.Combine(_root, "devices/system/cpu/online"), online);
        return Topology.Read(_root);
    }

    [Fact]
    public void DefaultIsEveryOnlineCpu()
    {
        Assert.Null(Preflight.ResolveCpus(null, Machine("0-2,5"), out int[] cpus));
        Assert.Equal([0, 1, 2, 5], cpus);
    }

    [Fact]
    public void ListOfOnlineCpusIsTaken()
    {
        Assert.Null(Preflight.ResolveCpus("5,1", Machine("0-2,5"), out int[] cpus));
        Assert.Equal([1, 5], cpus);
    }

    [Fact]
    public void OfflineCpusAreNamed()
    {
        var r = Preflight.ResolveCpus("2-4", Machine("0-2,5"), out _);
        Assert.Equal(ExitCode.CpusOffline, r!.Code);
        Assert.Contains("CPU 3-4 are not online", r.Message);
        Assert.Contains("online: 0-2,5", r.Message);
    }

    [Fact]
    public void CpuCountTakesTheFirstOnlineCpus()
    {
        Assert.Null(Preflight.ResolveCpus(null, Machine("0-2,5"), out int[] cpus, count: 4));
        Assert.Equal([0, 1, 2, 5], cpus);
        Assert.Null(Preflight.ResolveCpus(null, Machine("1-3"), out cpus, count: 2));
        Assert.Equal([1, 2], cpus);
    }

    [Fact]
    public void CpuCountBeyondTheOnlineCpusIsRefusedNamingTheFlag()
    {
        var r = Preflight.ResolveCpus(null, Machine("0-1"), out _, count: 4);
        Assert.Equal(ExitCode.CpusOffline, r!.Code);
        Assert.Equal("--cpu-count 4: only 2 CPUs are online (0-1)", r.Message);
    }

    [Fact]
    public void MalformedOrEmptyListIsAUsageError()
    {
        Assert.Equal(ExitCode.Usage, Preflight.ResolveCpus("x", Machine("0-1"), out _)!.Code);
        Assert.Equal(ExitCode.Usage, Preflight.ResolveCpus(" ", Machine("0-1"), out _)!.Code);
    }

    [Fact]
    public void RootModuleOrderChecks()
    {
        Assert.Null(Preflight.CheckRoot(0));
        Assert.Equal(ExitCode.NotRoot, Preflight.CheckRoot(1000)!.Code);
        File.WriteAllText(Path.Combine(_root, "modules"), ""); // a /proc of a kernel with module support
        var missing = Preflight.CheckLoaded(Path.Combine(_root, "page_alloc_bench"), _root);
        Assert.Equal(ExitCode.NotLoaded, missing!.Code);
        Assert.Contains("pab-load insert", missing.Message);
        var info = new ModuleInfo(Abi.AbiVersion, 10, 0, 0, 0, "0.1.0");
        Assert.Null(Preflight.CheckInfo(info, 10));
        Assert.Equal(ExitCode.OrderRejected, Preflight.CheckInfo(info, 11)!.Code);
        Assert.Equal(ExitCode.AbiMismatch, Preflight.CheckInfo(info with { AbiVersion = 99 }, 0)!.Code);
        Assert.Null(Preflight.CheckProbe(0, 4));
        Assert.Null(Preflight.CheckProbe(Native.ENOMEM, 4));
        Assert.Equal(ExitCode.OrderRejected, Preflight.CheckProbe(Native.EINVAL, 4)!.Code);
        Assert.Equal(ExitCode.ModuleCallFailed, Preflight.CheckProbe(Native.EIO, 4)!.Code);
    }

    [Theory]
    [InlineData("30", 30.0)]
    [InlineData("30s", 30.0)]
    [InlineData("500ms", 0.5)]
    [InlineData("2m", 120.0)]
    [InlineData("1.5h", 5400.0)]
    public void Durations(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out TimeSpan d, out _));
        Assert.Equal(seconds, d.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("5 weeks")]
    [InlineData("-3s")]
    public void BadDurations(string text) => Assert.False(DurationText.TryParse(text, out _, out _));

    private const long GiB = 1L << 30;

    [Fact]
    public void HoldingMoreThanHalfOfMemoryIsRefusedNamingTheFlags()
    {
        // The original's defaults (1000 ± 1000 blocks of order 4: 125 MiB a CPU) on 64 CPUs with 8 GiB.
        var r = Preflight.CheckHeldMemory(4, 2000, "--middle 1000 --spread 1000", 64, 4096, 8 * GiB, false, out string? warning);
        Assert.NotNull(r);
        Assert.Equal(ExitCode.Usage, r.Code);
        Assert.Contains("--middle 1000 --spread 1000 at --order 4 on 64 CPUs can hold 7.81 GiB", r.Message);
        Assert.Contains("8.00 GiB", r.Message);
        Assert.Null(warning);

        // Allowed on purpose: only a warning.
        Assert.Null(Preflight.CheckHeldMemory(4, 2000, "--middle 1000 --spread 1000", 64, 4096, 8 * GiB, true, out warning));
        Assert.Contains("(--no-hold-limit)", warning);
    }

    [Theory]
    [InlineData(2, 1, false)]    // 250 MiB of 1 GiB: the benchmark's usual VM
    [InlineData(4, 1, false)]    // 500 MiB of 1 GiB: not more than half
    [InlineData(5, 1, true)]     // 625 MiB of 1 GiB: refused
    [InlineData(64, 1024, false)] // 7.8 GiB of 1 TiB
    public void TheLimitIsHalfOfMemTotal(int cpus, long memGiB, bool refused)
    {
        var r = Preflight.CheckHeldMemory(4, 2000, "--middle 1000 --spread 1000", cpus, 4096, memGiB * GiB, false, out string? warning);
        Assert.Equal(refused, r != null);
        Assert.Null(warning);
    }

    [Fact]
    public void UnknownMemTotalIsNotAReasonToRefuse() =>
        Assert.Null(Preflight.CheckHeldMemory(10, 1 << 20, "--middle 1", 1, 4096, null, false, out _));

    [Fact]
    public void AMissingModuleOnAKernelWithoutModuleSupportPointsToAVm()
    {
        string proc = Path.Combine(_root, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "sys/kernel"));
        File.WriteAllText(Path.Combine(proc, "sys/kernel/osrelease"), "6.1.0-test\n");
        var r = Preflight.CheckLoaded(Path.Combine(proc, "page_alloc_bench"), proc)!;
        Assert.Equal(ExitCode.NoModuleSupport, r.Code);
        Assert.Contains("this kernel (6.1.0-test) has no loadable module support", r.Message);
        Assert.Contains("run it in a VM: scripts/vm-run", r.Message);
        Assert.DoesNotContain("pab-load insert", r.Message);

        File.WriteAllText(Path.Combine(proc, "modules"), "");
        Assert.Contains("load it with `pab-load insert`", Preflight.CheckLoaded(Path.Combine(proc, "page_alloc_bench"), proc)!.Message);
        File.WriteAllText(Path.Combine(proc, "page_alloc_bench"), "");
        Assert.Null(Preflight.CheckLoaded(Path.Combine(proc, "page_alloc_bench"), proc));
    }

    [Fact]
    public void TheOriginalModulesNoticeSaysWhatRunsInsteadOfTheBatch()
    {
        var o = new AntagonizeOptions([0], null, 1000, 1000, 256, true, 100, null, 1, []);
        Assert.Contains("the original module (no info call), not this project's", ModuleCheck.Notice(o));
        Assert.Contains("(as --batch 1, not --batch 256)", ModuleCheck.Notice(o));
        Assert.DoesNotContain("--batch", ModuleCheck.Notice(o with { Batch = 1 }));
    }

    [Fact]
    public async Task WaitingForTheModuleEndsWhenItsFileAppearsOrTheTimeIsUp()
    {
        string proc = Path.Combine(_root, "proc"), file = Path.Combine(proc, "page_alloc_bench");
        Directory.CreateDirectory(proc);
        // No module support: nothing to wait for.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Preflight.WaitForModule(file, proc, TimeSpan.FromSeconds(30));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"waited {sw.Elapsed} without module support");

        File.WriteAllText(Path.Combine(proc, "modules"), "");
        sw.Restart();
        Preflight.WaitForModule(file, proc, TimeSpan.FromMilliseconds(300));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(300), "gave up early");
        Assert.NotNull(Preflight.CheckLoaded(file, proc));

        var appears = Task.Run(async () => { await Task.Delay(200); File.WriteAllText(file, ""); });
        sw.Restart();
        Preflight.WaitForModule(file, proc, TimeSpan.FromSeconds(60));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"waited {sw.Elapsed} for a file that appeared after 0.2 s");
        await appears;
        Assert.Null(Preflight.CheckLoaded(file, proc));
    }
}
