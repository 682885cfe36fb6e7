namespace Pab.Report.Export;

/// <summary>The comparison as a terminal table (in colour where <paramref name="colour"/> allows) or as Markdown.</summary>
public sealed class CompareTextExporter(bool markdown, Ansi? colour = null) : IExporter<CompareContent>
{
    public void Export(CompareContent content, Stream output)
    {
        using var w = Exporters.Writer(output);
        CompareWriter.Write(content.Comparison, w, markdown, colour);
    }
}
