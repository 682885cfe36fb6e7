using System.Text.Json;
using Pab.Common;

namespace Pab.Report.Input;

/// <summary>
/// The original tool's --output-path JSON: one object mapping <c>metric_order$n</c> to arrays of integers
/// (its first version: <c>memory_available_diff_bytes</c> alone). Imported so old results compare against new ones,
/// and written so existing analysis scripts keep working.
/// </summary>
public static class OriginalFormat
{
    public const string Tool = "page_alloc_bench";

    public static void Import(InputSource source, ReadOnlySpan<byte> json, IRecordSink sink)
    {
        string run = "original:" + Path.GetFileName(source.Name);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var pending = new List<(Record Record, ValueChunk Values, long Line)>();
        var values = new List<long>();
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new BadRecordException("the original's output must be a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                long line = LineOf(json, reader.TokenStartIndex);
                string key = reader.GetString()!;
                var (metric, order) = MetricNames.SplitOrder(key);
                reader.Read();
                values.Clear();
                if (reader.TokenType == JsonTokenType.Number) values.Add(Integer(ref reader, key));
                else if (reader.TokenType == JsonTokenType.StartArray)
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        values.Add(Integer(ref reader, key));
                else
                    throw new BadRecordException($"'{key}' must be an integer or an array of integers");

                string unit = MetricNames.UnitOf(metric);
                if (order is < 0 or > RecordChecks.MaxOrder)
                    throw new BadRecordException($"'{key}': order {order} is out of range (0 to {RecordChecks.MaxOrder})");
                foreach (long v in values)
                    if (RecordChecks.Value(metric, unit, v) is { } why) throw new BadRecordException($"'{key}': {why}");
                string? label = metric == Metrics.IdleAvailableBytes ? "idle" : metric == Metrics.AntagonizedAvailableBytes ? "antagonized" : null;
                if (metric.EndsWith("_latencies_ns", StringComparison.Ordinal))
                {
                    // A uniform sample of latencies, like the antagonist's samples records.
                    pending.Add((Make(RecordType.Samples, run, source, metric, order, label, null, unit), ValueChunk.Of(values.ToArray()), line));
                }
                else
                {
                    // Available bytes have one item per iteration; the antagonist's totals are one number per order
                    // (keyed without iteration, as pab-antagonize writes them) unless the file has several.
                    bool perIteration = values.Count > 1 || metric.EndsWith("_available_bytes", StringComparison.Ordinal)
                        || metric == Metrics.MemoryAvailableDiffBytes;
                    for (int i = 0; i < values.Count; i++)
                        pending.Add((Make(RecordType.Metric, run, source, metric, order, label, perIteration ? i : null, unit), ValueChunk.Single(values[i]), line));
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                throw new BadRecordException("trailing data after the object");
        }
        catch (Exception e) when (e is JsonException or BadRecordException or InvalidOperationException)
        {
            long line = e is JsonException { LineNumber: long l } ? l + 1 : LineOf(json, (int)Math.Min(reader.TokenStartIndex, json.Length));
            string message = e is JsonException j ? j.Message.Split(" LineNumber:")[0] : e.Message;
            sink.Problem(new InputProblem(Severity.Error, new SourcePos(source.Name, line), $"malformed original-format JSON: {message}; nothing taken from this file"));
            return;
        }
        foreach (var (record, chunk, line) in pending)
            sink.Accept(record, chunk, new SourcePos(source.Name, line));
    }

    private static Record Make(RecordType type, string run, InputSource source, string metric, int? order, string? label, int? iteration, string unit) => new()
    {
        Type = type, Run = run, Tool = Tool, Time = source.Modified, Metric = metric, Order = order, Label = label,
        Iteration = iteration, Unit = unit,
    };

    private static long Integer(ref Utf8JsonReader reader, string key) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) ? v
            : throw new BadRecordException($"'{key}' holds something other than an integer");

    private static long LineOf(ReadOnlySpan<byte> json, long offset) =>
        json[..(int)Math.Min(offset, json.Length)].Count((byte)'\n') + 1;
}
