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
    /// <summary>How many CPUs the antagonist ran on, where a CPU-count sweep chose it (pab-antagonize --cpu-count); absent otherwise.</summary>
    [JsonPropertyName("antagonist_cpus")] public int? AntagonistCpus { get; set; }
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
    /// <summary>Meta: tool name → version of each page-alloc-bench tool installed beside the writer (<see cref="ToolInfo.InstalledVersions"/>).</summary>
    [JsonPropertyName("tool_versions")] public Dictionary<string, string>? ToolVersions { get; set; }

    /// <summary>The meta record every tool writes first: the machine, the options it ran with, the versions of the tools installed with it.</summary>
    public static Record Meta(HostInfo host, Dictionary<string, string> options) => new()
    {
        Type = RecordType.Meta, Host = host, Options = options, ToolVersions = ToolInfo.InstalledVersions(),
    };
}
