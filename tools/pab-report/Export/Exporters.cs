using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Pab.Common;

namespace Pab.Report.Export;

/// <summary>Output formats of a report; all are written from the same merged data.</summary>
public enum ReportFormat
{
    /// <summary>Aligned tables for a terminal.</summary>
    Text,
    /// <summary>The merged records, one JSON object a line, for further pipelines (pab-report reads it back).</summary>
    Jsonl,
    /// <summary>One row per value with its keys.</summary>
    Csv,
    /// <summary>Tables for a mailing-list post.</summary>
    Markdown,
    /// <summary>The report's rows (the text report's figures, as numbers) with its runs and warnings, as one JSON document.</summary>
    Json,
}

/// <summary>Writes a report in one format.</summary>
public interface IReportExporter
{
    void Export(MergedData data, IReadOnlyList<Warning> warnings, Stream output);
}

public static class Exporters
{
    public static IReportExporter For(ReportFormat format) => format switch
    {
        ReportFormat.Text => new TextExporter(markdown: false),
        ReportFormat.Markdown => new TextExporter(markdown: true),
        ReportFormat.Jsonl => new JsonlExporter(),
        ReportFormat.Json => new JsonSummaryExporter(),
        ReportFormat.Csv => new CsvExporter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    internal static StreamWriter Writer(Stream output) => new(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
}

/// <summary>The merged records: meta first, then each kept record, the computed ones, and events.</summary>
public sealed class JsonlExporter : IReportExporter
{
    public void Export(MergedData data, IReadOnlyList<Warning> warnings, Stream output)
    {
        var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { SkipValidation = true });
        void Write(Record r)
        {
            RecordJson.Write(writer, r);
            writer.Flush();
            buffered.WriteByte((byte)'\n');
            writer.Reset();
        }
        foreach (var run in data.Runs)
            foreach (var meta in run.Meta) Write(meta);
        foreach (var series in data.AllSeries)
            foreach (var c in series.Items) Write(c.ToRecord());
        foreach (var e in data.Events) Write(e);
        buffered.Flush();
    }
}

/// <summary>One row per value with every key, for spreadsheets and data frames.</summary>
public sealed class CsvExporter : IReportExporter
{
    public static readonly string[] Columns = ["run", "tool", "type", "metric", "order", "label", "iteration", "cpu", "unit", "value"];

    public void Export(MergedData data, IReadOnlyList<Warning> warnings, Stream output)
    {
        using var w = Exporters.Writer(output);
        using var csv = CsvWriter.Create(w, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, true);
        csv.WriteHeader(Columns);
        foreach (var series in data.AllSeries)
            foreach (var c in series.Items)
            {
                var h = c.Header;
                string type = h.Type == RecordType.Samples ? "samples" : "metric";
                string order = h.Order?.ToString(CultureInfo.InvariantCulture) ?? "";
                string iteration = h.Iteration?.ToString(CultureInfo.InvariantCulture) ?? "";
                string cpu = h.Cpu?.ToString(CultureInfo.InvariantCulture) ?? "";
                for (int i = 0; i < c.Values.Count; i++)
                {
                    csv.WriteField(h.Run);
                    csv.WriteField(h.Tool ?? "");
                    csv.WriteField(type);
                    csv.WriteField(h.Metric);
                    csv.WriteField(order);
                    csv.WriteField(h.Label ?? "");
                    csv.WriteField(iteration);
                    csv.WriteField(cpu);
                    csv.WriteField(series.Unit);
                    csv.WriteField(c.Values[i].ToString(CultureInfo.InvariantCulture));
                    csv.EndRecord();
                }
            }
    }
}
