using System.Text.Json;
using Pab.Report.Input;
using Pab.Report.Merge;

namespace Pab.Report.Export;

/// <summary>The original tool's --output-path JSON (see OriginalFormat, which reads it), so existing analysis scripts keep working.</summary>
public sealed class OriginalExporter : IExporter<ReportContent>
{
    public void Export(ReportContent report, Stream output) => Write(report.Data, output);

    /// <summary>Writes the original's JSON: keys sorted as Go's encoder sorts a map, each an array of integers.</summary>
    private static void Write(MergedData data, Stream output)
    {
        var arrays = new SortedDictionary<string, List<ValueChunk>>(StringComparer.Ordinal);
        // The kernel's account, the high-order probe and a CPU-count sweep's points are this rewrite's own: the original's JSON stays as it was.
        foreach (var series in data.AllSeries.Where(s => s.Key.Cpus == null && !Pab.Common.Kernel.AccountMetrics.TrySplit(s.Key.Metric, out _, out _)
                     && !Pab.Common.Metrics.IsHighOrder(s.Key.Metric)))
        {
            string key = MetricNames.OriginalKey(series.Key.Metric, series.Key.Order);
            if (!arrays.TryGetValue(key, out var list)) arrays[key] = list = [];
            list.AddRange(series.Items.Select(c => c.Values));
        }
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        foreach (var (key, chunks) in arrays)
        {
            writer.WriteStartArray(key);
            foreach (var chunk in chunks)
            {
                for (int i = 0; i < chunk.Count; i++) writer.WriteNumberValue(chunk[i]);
                // Utf8JsonWriter holds everything until flushed: flush per record to keep memory flat.
                if (writer.BytesPending > 1 << 16) writer.Flush();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
