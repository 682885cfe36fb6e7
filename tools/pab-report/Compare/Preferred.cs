using Pab.Common;
using Pab.Common.Kernel;

namespace Pab.Report.Compare;

/// <summary>
/// Which way is better for a compared row: more available bytes, fewer failures and remote pages, lower
/// latency, a higher allocation rate, more high-order blocks handed out by the probe; fewer stalls, reclaim scans, fallbacks and failed compactions or
/// migrations in the kernel's account. Rows with no better direction (what the antagonist held, pages
/// allocated or freed by the kernel) say only higher or lower.
/// </summary>
public static class Preferred
{
    /// <summary>+1 when higher is better, −1 when lower is, 0 when neither.</summary>
    public static int Direction(string metric)
    {
        if (AccountMetrics.TrySplit(metric, out _, out string name)) return AccountDirection(name);
        if (metric.EndsWith("_available_bytes", StringComparison.Ordinal)) return +1;
        if (metric == Metrics.MemoryAvailableDiffBytes) return -1;
        if (metric is Metrics.KernelAllocFailures or Metrics.KernelPageAllocsRemote) return -1;
        if (metric.EndsWith("_ns", StringComparison.Ordinal)) return -1;
        // The high-order probe: more blocks handed out is better.
        if (Metrics.IsHighOrder(metric) && metric.EndsWith("_" + Metrics.HighOrderSuccessRate, StringComparison.Ordinal))
            return +1;
        if (metric is Metrics.KernelPageAllocRate or Metrics.KernelPageAllocs or Metrics.KernelPageFrees or Metrics.KernelSelftestAllocRate) return +1;
        return 0;
    }

    private static readonly string[] Fewer =
    [
        "vmstat_allocstall_", "vmstat_compact_stall", "vmstat_compact_fail", "vmstat_compact_migrate_scanned",
        "vmstat_compact_free_scanned", "vmstat_pgmigrate_fail", "vmstat_pgscan_direct", "vmstat_thp_fault_fallback",
        "vmstat_numa_miss", "vmstat_numa_foreign", "vmstat_oom_kill", "trace_mm_page_alloc_extfrag",
    ];

    private static int AccountDirection(string name)
    {
        foreach (string f in Fewer)
            if (name.StartsWith(f, StringComparison.Ordinal)) return -1;
        return 0;
    }

    /// <summary>"better" or "worse" for a change in <paramref name="verdict"/>'s direction; null when the row has no better direction or did not change.</summary>
    public static string? Judge(string metric, Verdict verdict)
    {
        int d = Direction(metric);
        if (d == 0 || verdict is not (Verdict.Higher or Verdict.Lower)) return null;
        return (verdict == Verdict.Higher) == (d > 0) ? "better" : "worse";
    }
}
