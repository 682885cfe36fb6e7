using System.Text.Json.Serialization;

namespace Pab.Common;

/// <summary>What a JSON-lines record carries. docs/record-format.md describes each.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecordType>))]
public enum RecordType
{
    [JsonStringEnumMemberName("meta")] Meta,
    [JsonStringEnumMemberName("metric")] Metric,
    [JsonStringEnumMemberName("samples")] Samples,
    [JsonStringEnumMemberName("event")] Event,
}

/// <summary>
/// One line of the JSON-lines stream every tool writes and pab-report reads.
/// This class and <see cref="HostInfo"/> are the only definition of the format.
/// </summary>
public sealed class Record
{
    /// <summary>Format version this build writes; readers refuse newer ones.</summary>
    public const int CurrentFormat = 1;

    [JsonPropertyName("v")] public int Format { get; set; } = CurrentFormat;
    [JsonPropertyName("type")] public RecordType Type { get; set; }
    [JsonPropertyName("run")] public string? Run { get; set; }
    [JsonPropertyName("tool")] public string? Tool { get; set; }
    [JsonPropertyName("tool_version")] public string? ToolVersion { get; set; }
    [JsonPropertyName("time")] public DateTimeOffset? Time { get; set; }

    /// <summary>The original's metric name without the <c>_order$n</c> suffix.</summary>
    [JsonPropertyName("metric")] public string? Metric { get; set; }
    [JsonPropertyName("order")] public int? Order { get; set; }
    /// <summary>Phase: idle or antagonized (or a user's own label).</summary>
    [JsonPropertyName("label")] public string? Label { get; set; }
    [JsonPropertyName("iteration")] public int? Iteration { get; set; }
    [JsonPropertyName("cpu")] public int? Cpu { get; set; }
    [JsonPropertyName("unit")] public string? Unit { get; set; }

    /// <summary>A metric's value.</summary>
    [JsonPropertyName("value")] public long? Value { get; set; }
    /// <summary>A samples record's values (a uniform sample).</summary>
    [JsonPropertyName("values")] public long[]? Values { get; set; }
    /// <summary>Samples: how many operations the sample was drawn from.</summary>
    [JsonPropertyName("population")] public long? Population { get; set; }
    /// <summary>Further numbers, each named with its unit (duration_s, resolution_bytes, p99_ns …).</summary>
    [JsonPropertyName("details")] public Dictionary<string, double>? Details { get; set; }

    /// <summary>Events: what happened (start, steady, stop, error …).</summary>
    [JsonPropertyName("event")] public string? Event { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }

    /// <summary>Meta: what makes the run reproducible.</summary>
    [JsonPropertyName("host")] public HostInfo? Host { get; set; }
    /// <summary>Meta: the options the tool ran with.</summary>
    [JsonPropertyName("options")] public Dictionary<string, string>? Options { get; set; }
    /// <summary>Meta: versions of the other tools in the pipeline, by tool name (the pipeline script's meta record).</summary>
    [JsonPropertyName("tool_versions")] public Dictionary<string, string>? ToolVersions { get; set; }
}

/// <summary>Meta: the machine a run measured. <see cref="Collect"/> fills it from /proc and /sys.</summary>
public sealed partial class HostInfo
{
    [JsonPropertyName("kernel_release")] public string? KernelRelease { get; set; }
    [JsonPropertyName("kernel_cmdline")] public string? KernelCmdline { get; set; }
    [JsonPropertyName("cpu_model")] public string? CpuModel { get; set; }
    [JsonPropertyName("cpus")] public int? Cpus { get; set; }
    [JsonPropertyName("numa_nodes")] public int? NumaNodes { get; set; }
    [JsonPropertyName("mem_total_bytes")] public long? MemTotalBytes { get; set; }
    [JsonPropertyName("module_version")] public string? ModuleVersion { get; set; }
}

/// <summary>Metric names, as the original's JSON has them (before <c>_order$n</c>).</summary>
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

    public static string AvailableBytes(string label) => label + "_available_bytes";

    /// <summary>The unit a metric has when its records do not say: from the name's suffix, as the original named them.</summary>
    public static string UnitOf(string metric) =>
        metric.EndsWith("_bytes", StringComparison.Ordinal) ? Units.Bytes
        : metric.EndsWith("_ns", StringComparison.Ordinal) ? Units.Nanoseconds
        : Units.Count;

    /// <summary>Splits the original's <c>name_order$n</c> into name and order; names without the suffix come back unchanged.</summary>
    public static (string Name, int? Order) SplitOrder(string key)
    {
        int i = key.LastIndexOf("_order", StringComparison.Ordinal);
        if (i > 0 && i + 6 < key.Length && int.TryParse(key.AsSpan(i + 6), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int order))
            return (key[..i], order);
        return (key, null);
    }

    /// <summary>The original's JSON key: the name, with <c>_order$n</c> when the metric has an order.</summary>
    public static string OriginalKey(string metric, int? order) =>
        order is int o ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{metric}_order{o}") : metric;
}

public static class Units
{
    public const string Bytes = "bytes";
    public const string Nanoseconds = "ns";
    public const string Count = "count";
    public const string Pages = "pages";
}
