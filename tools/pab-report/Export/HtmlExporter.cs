namespace Pab.Report.Export;

/// <summary>One self-contained HTML page (--html), of a report or of a comparison.</summary>
public sealed class HtmlExporter : IExporter<ReportContent>, IExporter<CompareContent>
{
    public void Export(ReportContent content, Stream output) => Write(ReportPage.Build(content), output);

    public void Export(CompareContent content, Stream output) => Write(ComparePage.Build(content), output);

    private static void Write(HtmlPage page, Stream output)
    {
        using var w = Exporters.Writer(output);
        HtmlReport.Write(page, w);
    }
}
