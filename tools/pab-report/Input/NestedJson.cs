using System.Text.Json;
using Pab.Common;

namespace Pab.Report.Input;

/// <summary>
/// The nested objects of a record (host, details, options, tool_versions) read by hand, as the top level is,
/// so a bad value is named in the format's words ("host"."cpus" must be an integer) where the serializer's
/// JsonException names a .NET type and a JSON path. Read as the source-generated <see cref="RecordJsonContext"/>
/// reads them: names case-sensitive, unknown names skipped, the last of a repeated name kept;
/// RecordParserTests hold the two to agreeing on every property of HostInfo.
/// </summary>
internal static class NestedJson
{
    public static HostInfo? Host(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Start(ref reader, "host");
        var h = new HostInfo();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("kernel_release"u8)) { reader.Read(); h.KernelRelease = Text(ref reader, "host\".\"kernel_release"); }
            else if (reader.ValueTextEquals("kernel_cmdline"u8)) { reader.Read(); h.KernelCmdline = Text(ref reader, "host\".\"kernel_cmdline"); }
            else if (reader.ValueTextEquals("cpu_model"u8)) { reader.Read(); h.CpuModel = Text(ref reader, "host\".\"cpu_model"); }
            else if (reader.ValueTextEquals("cpus"u8)) { reader.Read(); h.Cpus = (int?)Integer(ref reader, "cpus", int.MinValue, int.MaxValue); }
            else if (reader.ValueTextEquals("numa_nodes"u8)) { reader.Read(); h.NumaNodes = (int?)Integer(ref reader, "numa_nodes", int.MinValue, int.MaxValue); }
            else if (reader.ValueTextEquals("mem_total_bytes"u8)) { reader.Read(); h.MemTotalBytes = Integer(ref reader, "mem_total_bytes", long.MinValue, long.MaxValue); }
            else if (reader.ValueTextEquals("module_version"u8)) { reader.Read(); h.ModuleVersion = Text(ref reader, "host\".\"module_version"); }
            else if (reader.ValueTextEquals("module_abi"u8)) { reader.Read(); h.ModuleAbi = Text(ref reader, "host\".\"module_abi"); }
            else { reader.Read(); reader.Skip(); }
        }
        return h;
    }

    public static Dictionary<string, double>? Numbers(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Start(ref reader, name);
        var map = new Dictionary<string, double>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            map[key] = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double v) ? v
                : throw new BadRecordException($"\"{name}\".\"{key}\" must be a number");
        }
        return map;
    }

    public static Dictionary<string, string>? Texts(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Start(ref reader, name);
        var map = new Dictionary<string, string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            map[key] = Text(ref reader, $"{name}\".\"{key}")!;
        }
        return map;
    }

    private static void Start(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new BadRecordException($"\"{name}\" must be an object");
    }

    private static string? Text(ref Utf8JsonReader reader, string name) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.Null ? reader.GetString()
            : throw new BadRecordException($"\"{name}\" must be a string");

    private static long? Integer(ref Utf8JsonReader reader, string name, long min, long max) =>
        reader.TokenType == JsonTokenType.Null ? null
            : reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) && v >= min && v <= max ? v
            : throw new BadRecordException($"\"host\".\"{name}\" must be an integer");
}
