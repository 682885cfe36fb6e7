using System.Text.Json;
using Pab.Common;

namespace Pab.Report.Input;

/// <summary>
/// Parses one JSON-lines record, read by hand with Utf8JsonReader: a samples record's 50,000 values go
/// straight into a reused buffer, and nested objects (host, details, options) are read by <see cref="NestedJson"/>.
/// Record and HostInfo stay the format's definition: RecordParserTests fail when this parser misses a field.
/// </summary>
public static class RecordParser
{
    /// <summary>Parses <paramref name="line"/>; the values of a samples record (or a metric's value) come back in <paramref name="values"/>.</summary>
    public static Record Parse(ReadOnlySpan<byte> line, ref long[] buffer, out ValueChunk? values)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new BadRecordException("a record must be a JSON object");
        var r = new Record { Format = 0 };
        int count = -1;
        bool hasType = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("values"u8))
            {
                reader.Read();
                count = ReadValues(ref reader, ref buffer);
                continue;
            }
            if (reader.ValueTextEquals("v"u8)) { reader.Read(); r.Format = Int(ref reader, "v"); }
            else if (reader.ValueTextEquals("type"u8)) { reader.Read(); r.Type = ParseType(reader.GetString()); hasType = true; }
            else if (reader.ValueTextEquals("run"u8)) { reader.Read(); r.Run = reader.GetString(); }
            else if (reader.ValueTextEquals("tool"u8)) { reader.Read(); r.Tool = reader.GetString(); }
            else if (reader.ValueTextEquals("tool_version"u8)) { reader.Read(); r.ToolVersion = reader.GetString(); }
            else if (reader.ValueTextEquals("time"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                    r.Time = reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var t)
                        ? t : throw new BadRecordException("\"time\" must be an ISO 8601 date and time");
            }
            else if (reader.ValueTextEquals("metric"u8)) { reader.Read(); r.Metric = reader.GetString(); }
            else if (reader.ValueTextEquals("order"u8)) { reader.Read(); r.Order = NullableInt(ref reader, "order"); }
            else if (reader.ValueTextEquals("label"u8)) { reader.Read(); r.Label = reader.GetString(); }
            else if (reader.ValueTextEquals("iteration"u8)) { reader.Read(); r.Iteration = NullableInt(ref reader, "iteration"); }
            else if (reader.ValueTextEquals("cpu"u8)) { reader.Read(); r.Cpu = NullableInt(ref reader, "cpu"); }
            else if (reader.ValueTextEquals("antagonist_cpus"u8)) { reader.Read(); r.AntagonistCpus = NullableInt(ref reader, "antagonist_cpus"); }
            else if (reader.ValueTextEquals("unit"u8)) { reader.Read(); r.Unit = reader.GetString(); }
            else if (reader.ValueTextEquals("value"u8)) { reader.Read(); r.Value = NullableLong(ref reader, "value"); }
            else if (reader.ValueTextEquals("population"u8)) { reader.Read(); r.Population = NullableLong(ref reader, "population"); }
            else if (reader.ValueTextEquals("event"u8)) { reader.Read(); r.Event = reader.GetString(); }
            else if (reader.ValueTextEquals("message"u8)) { reader.Read(); r.Message = reader.GetString(); }
            else if (reader.ValueTextEquals("details"u8)) { reader.Read(); r.Details = NestedJson.Numbers(ref reader, "details"); }
            else if (reader.ValueTextEquals("host"u8)) { reader.Read(); r.Host = NestedJson.Host(ref reader); }
            else if (reader.ValueTextEquals("options"u8)) { reader.Read(); r.Options = NestedJson.Texts(ref reader, "options"); }
            else if (reader.ValueTextEquals("tool_versions"u8)) { reader.Read(); r.ToolVersions = NestedJson.Texts(ref reader, "tool_versions"); }
            else
            {
                // Fields a newer writer of the same format version added: tolerated, not kept.
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new BadRecordException("unexpected end of the record");
        if (reader.Read())
            throw new BadRecordException("more than one JSON value on the line");

        if (r.Format == 0) r.Format = 1; // lines written before the field existed
        if (r.Format > Record.CurrentFormat)
            throw new BadRecordException($"record format version {r.Format} is newer than this pab-report reads (version {Record.CurrentFormat}); use a pab-report at least as new as the tool that wrote it");
        if (r.Format < 1)
            throw new BadRecordException($"record format version {r.Format} is not valid (versions start at 1)");
        if (!hasType)
            throw new BadRecordException("missing \"type\" (meta, metric, samples or event)");

        values = null;
        switch (r.Type)
        {
            case RecordType.Metric:
                RequireMetric(r);
                if (r.Value is not long v)
                    throw new BadRecordException($"metric record '{r.Metric}' has no \"value\"");
                if (count >= 0)
                    throw new BadRecordException($"metric record '{r.Metric}' has \"values\"; a list of values is a samples record");
                values = ValueChunk.Single(v);
                break;
            case RecordType.Samples:
                RequireMetric(r);
                if (count < 0)
                    throw new BadRecordException($"samples record '{r.Metric}' has no \"values\"");
                values = ValueChunk.Of(new ReadOnlySpan<long>(buffer, 0, count));
                break;
        }
        RecordChecks.Check(r, values);
        return r;
    }

    private static void RequireMetric(Record r)
    {
        if (string.IsNullOrEmpty(r.Metric))
            throw new BadRecordException($"{r.Type.ToString().ToLowerInvariant()} record without \"metric\"");
        // Tolerate the original's suffixed names, so hand-made records merge with ours.
        if (r.Order == null)
        {
            var (name, order) = MetricNames.SplitOrder(r.Metric);
            if (order != null) { r.Metric = name; r.Order = order; }
        }
    }

    private static int ReadValues(ref Utf8JsonReader reader, ref long[] buffer)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new BadRecordException("\"values\" must be an array of integers");
        int n = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray) return n;
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v))
                throw new BadRecordException($"\"values\" item {n} is not an integer");
            if (n == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            buffer[n++] = v;
        }
        throw new BadRecordException("\"values\" is not closed");
    }

    private static RecordType ParseType(string? s) => s switch
    {
        "meta" => RecordType.Meta,
        "metric" => RecordType.Metric,
        "samples" => RecordType.Samples,
        "event" => RecordType.Event,
        _ => throw new BadRecordException($"unknown record type '{s}' (expected meta, metric, samples or event)"),
    };

    private static int Int(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int v) ? v
            : throw new BadRecordException($"\"{name}\" must be an integer");

    private static int? NullableInt(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.Null ? null : Int(ref reader, name);

    private static long? NullableLong(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.Null ? null
            : reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) ? v
            : throw new BadRecordException($"\"{name}\" must be an integer");
}
