using System.Globalization;
using CsvHelper;
using Pab.Common;

namespace Pab.Report.Export;

/// <summary>One row per value with every key, for spreadsheets and data frames.</summary>
public sealed class CsvExporter : IExporter<ReportContent>
{
    public static readonly string[] Columns = ["run", "tool", "type", "metric", "order", "label", "iteration", "cpu", "unit", "value"];

    public void Export(ReportContent report, Stream output)
    {
        var data = report.Data;
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
