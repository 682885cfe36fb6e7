using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Pab.Common;

namespace Pab.Report.Export;

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
