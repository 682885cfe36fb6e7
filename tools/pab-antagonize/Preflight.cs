using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>A refusal to start: the exit code and a message that says what to do.</summary>
public sealed record Refusal(ExitCode Code, string Message);

/// <summary>The checks made before any page is allocated, each with its own exit code.</summary>
public static class Preflight
{
    /// <summary>The CPUs to run on: all online ones, the first <paramref name="count"/> of them, or the --cpus list if every CPU in it is online.</summary>
    public static Refusal? ResolveCpus(string? list, Topology topology, out int[] cpus, int? count = null)
    {
        cpus = [.. topology.OnlineCpus];
        if (count is int n)
        {
            if (n < 1) return new Refusal(ExitCode.Usage, $"--cpu-count {n}: at least 1");
            if (n > cpus.Length)
                return new Refusal(ExitCode.CpusOffline,
                    $"--cpu-count {n}: only {cpus.Length} CPU{(cpus.Length == 1 ? " is" : "s are")} online ({CpuList.Format(topology.OnlineCpus)})");
            cpus = cpus[..n];
            return null;
        }
        if (list == null) return cpus.Length > 0 ? null : new Refusal(ExitCode.CpusOffline, "no CPU is online (sysfs says so)");
        if (!CpuList.TryParse(list, out int[] requested, out string? error))
            return new Refusal(ExitCode.Usage, $"--cpus: {error}");
        if (requested.Length == 0)
            return new Refusal(ExitCode.Usage, "--cpus: the list is empty");
        int[] offline = [.. requested.Except(topology.OnlineCpus)];
        if (offline.Length > 0)
            return new Refusal(ExitCode.CpusOffline,
                $"--cpus {list}: CPU {CpuList.Format(offline)} {(offline.Length == 1 ? "is" : "are")} not online (online: {CpuList.Format(topology.OnlineCpus)})");
        cpus = requested;
        return null;
    }

    /// <summary>
    /// The module's pages are charged to no process, and the antagonist is shielded from the OOM killer:
    /// if every worker could hold more than half of the machine, it is refused, not left to hang the
    /// machine (unless <paramref name="noLimit"/>: then <paramref name="warning"/> says so).
    /// </summary>
    public static Refusal? CheckHeldMemory(int order, int blocksPerCpu, string flags, int cpus, long pageSize,
        long? memTotalBytes, bool noLimit, out string? warning)
    {
        warning = null;
        if (memTotalBytes is not long total || total <= 0) return null;
        double peak = (double)blocksPerCpu * pageSize * Math.Pow(2, order) * cpus;
        string what = string.Create(CultureInfo.InvariantCulture,
            $"{flags} at --order {order} on {cpus} CPU{(cpus == 1 ? "" : "s")} can hold {ByteSize.Format(peak)} of kernel memory");
        if (peak > total / 2.0)
        {
            if (!noLimit)
                return new Refusal(ExitCode.Usage,
                    $"{what}, more than half of this machine's {ByteSize.Format(total)} (MemTotal): lower {flags.Split(' ')[0]}, give fewer --cpus or a lower --order (or --no-hold-limit)");
            warning = $"{what}, more than half of this machine's {ByteSize.Format(total)} (--no-hold-limit)";
        }
        return null;
    }

    public static Refusal? CheckRoot(int euid) =>
        euid == 0 ? null : new Refusal(ExitCode.NotRoot,
            $"must run as root (effective uid is {euid.ToString(CultureInfo.InvariantCulture)}): the module's file is root's, and lowering oom_score_adj needs CAP_SYS_RESOURCE");

    /// <summary>Waits up to <paramref name="wait"/> for the module's file to appear, where the kernel can load modules at all.</summary>
    public static void WaitForModule(string procPath, string procRoot, TimeSpan wait)
    {
        if (wait <= TimeSpan.Zero || !File.Exists(Path.Combine(procRoot, "modules"))) return;
        // Stopwatch, not TickCount64: its coarse clock can end the wait a tick early.
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!File.Exists(procPath) && System.Diagnostics.Stopwatch.GetElapsedTime(start) < wait) Thread.Sleep(20);
    }

    /// <summary>The module's file must exist; where this kernel cannot load modules at all, the refusal says where to run instead.</summary>
    public static Refusal? CheckLoaded(string procPath, string procRoot = "/proc")
    {
        if (File.Exists(procPath)) return null;
        if (File.Exists(Path.Combine(procRoot, "modules"))) return NotLoaded(procPath);
        string release = File.Exists(Path.Combine(procRoot, "sys/kernel/osrelease"))
            ? File.ReadAllText(Path.Combine(procRoot, "sys/kernel/osrelease")).Trim() : "running";
        return new Refusal(ExitCode.NoModuleSupport,
            $"the {Abi.ModuleName} module is not loaded ({procPath} is missing), and this kernel ({release}) has no loadable module support (CONFIG_MODULES is off); run it in a VM: scripts/vm-run");
    }

    /// <summary>The refusal when the module's file is missing (checked up front, or found missing at open).</summary>
    public static Refusal NotLoaded(string procPath) => new(ExitCode.NotLoaded,
        $"the {Abi.ModuleName} module is not loaded ({procPath} is missing); load it with `pab-load insert`");

    public static Refusal? CheckInfo(ModuleInfo info, int order)
    {
        if (info.AbiVersion != Abi.AbiVersion)
            return new Refusal(ExitCode.AbiMismatch,
                $"the loaded module speaks ABI {info.AbiVersion}, this tool ABI {Abi.AbiVersion}; load the matching module with `pab-load insert`");
        if (order > info.MaxOrder)
            return new Refusal(ExitCode.OrderRejected, $"--order {order}: the kernel takes orders 0 to {info.MaxOrder}");
        return null;
    }

    /// <summary>What a first allocation's errno means: EINVAL is the kernel refusing the order.</summary>
    public static Refusal? CheckProbe(int errno, int order) => errno switch
    {
        0 or Native.ENOMEM => null, // ENOMEM is counted and retried later, like any failure
        Native.EINVAL => new Refusal(ExitCode.OrderRejected, $"--order {order}: the kernel rejects this order ({Native.ErrorText(errno)})"),
        _ => new Refusal(ExitCode.ModuleCallFailed, $"allocating one block of order {order}: {Native.ErrorText(errno)} (errno {errno})"),
    };
}
