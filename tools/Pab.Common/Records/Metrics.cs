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

    /// <summary>
    /// The high-order probe at a phase's end (phase idle, antagonized or rest) in one mode (nocompact or
    /// compact): idle_high_order_nocompact_success_rate. The phase leads, as in idle_available_bytes.
    /// </summary>
    public static string HighOrder(string phase, string mode, string what) => $"{phase}_high_order_{mode}_{what}";

    /// <summary>What the probe records per phase and mode, after <see cref="HighOrder"/>'s mode: successes per attempt.</summary>
    public const string HighOrderSuccessRate = "success_rate";

    /// <summary>Whether a metric is the high-order probe's (this rewrite's own, kept out of the original's JSON).</summary>
    public static bool IsHighOrder(string metric) => metric.Contains("_high_order_", StringComparison.Ordinal);

    /// <summary>An exact percentile over the probe's attempts: idle_high_order_compact_latency_p99_ns.</summary>
    public static string HighOrderLatency(string phase, string mode, string percentile) => HighOrder(phase, mode, $"latency_{percentile}_ns");
}

/// <summary>Units of metric and samples records.</summary>
public static class Units
{
    public const string Bytes = "bytes";
    public const string Nanoseconds = "ns";
    public const string Count = "count";
    public const string PagesPerSecond = "pages_per_s";
    /// <summary>A share in parts per million (an integer, as every value is): 1,000,000 is all.</summary>
    public const string PartsPerMillion = "ppm";
}
