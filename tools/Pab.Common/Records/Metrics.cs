namespace Pab.Common;

/// <summary>
/// Metric names: the original's (as its JSON has them, before <c>_order$n</c>) and this rewrite's own.
/// Every tool names its metrics from here.
/// </summary>
public static class Metrics
{
    public const string IdleAvailableBytes = "idle_available_bytes";
    public const string AntagonizedAvailableBytes = "antagonized_available_bytes";
    public const string KernelPageAllocs = "kernel_page_allocs";
    public const string KernelAllocFailures = "kernel_alloc_failures";
    public const string KernelPageAllocsRemote = "kernel_page_allocs_remote";
    public const string KernelPageAllocLatenciesNs = "kernel_page_alloc_latencies_ns";
    public const string KernelPageFreeLatenciesNs = "kernel_page_free_latencies_ns";
    public const string KernelHeldBytes = "kernel_held_bytes";
    public const string MemoryAvailableDiffBytes = "memory_available_diff_bytes";

    // pab-antagonize's own, beyond the original's.
    public const string KernelPageFrees = "kernel_page_frees";
    public const string KernelPageAllocRate = "kernel_page_alloc_rate";
    public const string KernelSelftestAllocRate = "kernel_selftest_alloc_rate";

    /// <summary>One exact percentile over every call: kernel_page_alloc_latency_p99_ns (kind alloc or free, percentile p50 … max).</summary>
    public static string KernelPageLatency(string kind, string percentile) => $"kernel_page_{kind}_latency_{percentile}_ns";

    public static string AvailableBytes(string label) => label + "_available_bytes";
}

/// <summary>Units of metric and samples records.</summary>
public static class Units
{
    public const string Bytes = "bytes";
    public const string Nanoseconds = "ns";
    public const string Count = "count";
    public const string PagesPerSecond = "pages_per_s";
}
