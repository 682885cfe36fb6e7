using System.Text.Json;

namespace Pab.Common;

/// <summary>
/// Writes a <see cref="Record"/> as <see cref="RecordJsonContext"/> would, property by property.
/// Not the serializer, for memory: its metadata made pab-exhaust's parent hold about 1 MiB more
/// (rss 7.3 → 8.4 MiB, anon 1.9 → 2.5 MiB, native, on the host) and each tool 0.4 MB larger, where
/// the resident tools have a footprint goal (docs/benchmarks.md). RecordJsonTests hold the two
/// outputs byte for byte equal, and pin them.
/// </summary>
public static class RecordJson
{
    private static readonly JsonEncodedText V = JsonEncodedText.Encode("v"), Type = JsonEncodedText.Encode("type"),
        Run = JsonEncodedText.Encode("run"), Tool = JsonEncodedText.Encode("tool"), ToolVersion = JsonEncodedText.Encode("tool_version"),
        Time = JsonEncodedText.Encode("time"), Metric = JsonEncodedText.Encode("metric"), Order = JsonEncodedText.Encode("order"),
        Label = JsonEncodedText.Encode("label"), Iteration = JsonEncodedText.Encode("iteration"), Cpu = JsonEncodedText.Encode("cpu"),
        AntagonistCpus = JsonEncodedText.Encode("antagonist_cpus"),
        Unit = JsonEncodedText.Encode("unit"), Value = JsonEncodedText.Encode("value"), Values = JsonEncodedText.Encode("values"),
        Population = JsonEncodedText.Encode("population"), Details = JsonEncodedText.Encode("details"), Event = JsonEncodedText.Encode("event"),
        Message = JsonEncodedText.Encode("message"), Host = JsonEncodedText.Encode("host"), Options = JsonEncodedText.Encode("options"),
        ToolVersions = JsonEncodedText.Encode("tool_versions");

    // HostInfo's.
    private static readonly JsonEncodedText KernelRelease = JsonEncodedText.Encode("kernel_release"),
        KernelCmdline = JsonEncodedText.Encode("kernel_cmdline"), CpuModel = JsonEncodedText.Encode("cpu_model"),
        Cpus = JsonEncodedText.Encode("cpus"), NumaNodes = JsonEncodedText.Encode("numa_nodes"),
        MemTotalBytes = JsonEncodedText.Encode("mem_total_bytes"), ModuleVersion = JsonEncodedText.Encode("module_version"),
        ModuleAbi = JsonEncodedText.Encode("module_abi");

    /// <summary>The record's JSON, without a newline.</summary>
    public static byte[] ToUtf8Bytes(Record r)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(r.Values is { Length: > 64 } v ? v.Length * 8 + 512 : 1024);
        using (var w = new Utf8JsonWriter(buffer))
            Write(w, r);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter w, Record r)
    {
        w.WriteStartObject();
        w.WriteNumber(V, r.Format);
        w.WriteString(Type, TypeName(r.Type));
        String(w, Run, r.Run);
        String(w, Tool, r.Tool);
        String(w, ToolVersion, r.ToolVersion);
        if (r.Time is DateTimeOffset t) w.WriteString(Time, t);
        String(w, Metric, r.Metric);
        Number(w, Order, r.Order);
        String(w, Label, r.Label);
        Number(w, Iteration, r.Iteration);
        Number(w, Cpu, r.Cpu);
        Number(w, AntagonistCpus, r.AntagonistCpus);
        String(w, Unit, r.Unit);
        Number(w, Value, r.Value);
        if (r.Values is { } values)
        {
            w.WriteStartArray(Values);
            foreach (long x in values) w.WriteNumberValue(x);
            w.WriteEndArray();
        }
        Number(w, Population, r.Population);
        if (r.Details is { } details)
        {
            w.WriteStartObject(Details);
            foreach (var (k, x) in details) w.WriteNumber(k, x);
            w.WriteEndObject();
        }
        String(w, Event, r.Event);
        String(w, Message, r.Message);
        if (r.Host is { } h)
        {
            w.WriteStartObject(Host);
            String(w, KernelRelease, h.KernelRelease);
            String(w, KernelCmdline, h.KernelCmdline);
            String(w, CpuModel, h.CpuModel);
            Number(w, Cpus, h.Cpus);
            Number(w, NumaNodes, h.NumaNodes);
            Number(w, MemTotalBytes, h.MemTotalBytes);
            String(w, ModuleVersion, h.ModuleVersion);
            String(w, ModuleAbi, h.ModuleAbi);
            w.WriteEndObject();
        }
        Strings(w, Options, r.Options);
        Strings(w, ToolVersions, r.ToolVersions);
        w.WriteEndObject();
    }

    /// <summary>The name a record type has in the format.</summary>
    public static string TypeName(RecordType type) => type switch
    {
        RecordType.Meta => "meta",
        RecordType.Metric => "metric",
        RecordType.Samples => "samples",
        RecordType.Event => "event",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a record type"),
    };

    private static void String(Utf8JsonWriter w, JsonEncodedText name, string? value)
    {
        if (value != null) w.WriteString(name, value);
    }

    private static void Number(Utf8JsonWriter w, JsonEncodedText name, long? value)
    {
        if (value is long v) w.WriteNumber(name, v);
    }

    private static void Strings(Utf8JsonWriter w, JsonEncodedText name, Dictionary<string, string>? map)
    {
        if (map == null) return;
        w.WriteStartObject(name);
        foreach (var (k, v) in map) w.WriteString(k, v);
        w.WriteEndObject();
    }
}
