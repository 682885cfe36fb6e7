using System.Text;

namespace Pab.Report.Export;

public static class Exporters
{
    /// <summary>The report in <paramref name="format"/>.</summary>
    public static IExporter<ReportContent> For(ReportFormat format) => format switch
    {
        ReportFormat.Text => new TextExporter(markdown: false),
        ReportFormat.Markdown => new TextExporter(markdown: true),
        ReportFormat.Jsonl => new JsonlExporter(),
        ReportFormat.Json => new JsonSummaryExporter(),
        ReportFormat.Csv => new CsvExporter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The comparison in <paramref name="format"/>; colour only where standard output is a terminal.</summary>
    public static IExporter<CompareContent> For(CompareFormat format, Ansi? colour = null) =>
        new CompareTextExporter(format == CompareFormat.Markdown, colour);

    internal static StreamWriter Writer(Stream output) => new(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
}
