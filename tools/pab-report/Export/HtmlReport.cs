using System.Text.RegularExpressions;

namespace Pab.Report.Export;

/// <summary>Writes an HtmlPage as one self-contained HTML file: inline CSS and SVG, nothing fetched, no script. The output is also well-formed XML.</summary>
public static partial class HtmlReport
{
    private const string Style = """
        body { font-family: Helvetica, Arial, sans-serif; font-size: 14px; color: #222; margin: 1.5em auto; max-width: 1280px; padding: 0 1em; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ccc; } h3 { font-size: 1em; margin: 1.2em 0 0.3em; }
        table { border-collapse: collapse; margin: 0.5em 0; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.higher td { background: #fde3d3; } tr.lower td { background: #d8e9f7; }
        tr.same td { background: #eef5ea; } tr.undecided td { color: #666; font-style: italic; }
        td:first-child, td:nth-child(8) { white-space: nowrap; }
        .swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 50%; vertical-align: -0.1em; margin-right: 0.4em; }
        figure { margin: 0.5em 0 1.5em; } figure svg { max-width: 100%; height: auto; }
        p.empty { color: #666; font-style: italic; }
        """;

    public static void Write(HtmlPage page, TextWriter writer)
    {
        Validate(page);
        var key = new HtmlKey(page);
        var w = writer;
        w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<meta name=\"generator\" content=\"pab-report\"/>\n");
        w.Write($"<title>{HtmlText.Escape(page.Title)}</title>\n<style>\n{Style}</style>\n</head>\n<body>\n");
        w.Write($"<h1>{HtmlText.Escape(page.Title)}</h1>\n");
        if (page.Verdicts != null)
        {
            w.Write("<section id=\"verdicts\">\n<h2>Verdicts</h2>\n");
            WriteTable(w, page.Verdicts);
            w.Write("</section>\n");
        }
        if (page.Notes.Count > 0)
        {
            w.Write("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
            foreach (string note in page.Notes) w.Write($"<li>{HtmlText.Escape(note)}</li>\n");
            w.Write("</ul>\n</section>\n");
        }
        if (key.Sides.Count > 0) WriteKey(w, key);
        if (page.Sweep.Count > 0)
        {
            w.Write("<section id=\"sweep\">\n<h2>CPU-count sweep</h2>\n");
            for (int i = 0; i < page.Sweep.Count; i++) WriteFigure(w, page.Sweep[i].Title, SweepChart.Svg(page.Sweep[i], key, $"s{i}"));
            w.Write("</section>\n");
        }
        if (page.Metrics.Count > 0)
        {
            w.Write("<section id=\"metrics\">\n<h2>Values per run</h2>\n");
            for (int i = 0; i < page.Metrics.Count; i++) WriteFigure(w, page.Metrics[i].Title, HtmlCharts.Strip(page.Metrics[i], key, $"m{i}"));
            w.Write("</section>\n");
        }
        if (page.FreeBlocks.Count + page.AccountMetrics.Count > 0)
        {
            w.Write("<section id=\"account\">\n<h2>The kernel's account</h2>\n");
            for (int i = 0; i < page.FreeBlocks.Count; i++) WriteFigure(w, page.FreeBlocks[i].Title, FreeBlocksChart.Svg(page.FreeBlocks[i], key, $"f{i}"));
            for (int i = 0; i < page.AccountMetrics.Count; i++) WriteFigure(w, page.AccountMetrics[i].Title, HtmlCharts.Strip(page.AccountMetrics[i], key, $"a{i}"));
            w.Write("</section>\n");
        }
        if (page.Cdfs.Count > 0)
        {
            w.Write("<section id=\"cdfs\">\n<h2>Distributions</h2>\n");
            for (int i = 0; i < page.Cdfs.Count; i++) WriteFigure(w, page.Cdfs[i].Title, HtmlCharts.Cdf(page.Cdfs[i], key, $"c{i}"));
            w.Write("</section>\n");
        }
        w.Write("</body>\n</html>\n");
    }

    private static void Validate(HtmlPage page)
    {
        var t = page.Verdicts;
        if (t?.RowClasses != null && t.RowClasses.Count != t.Rows.Count)
            throw new ArgumentException($"the verdict table has {t.Rows.Count} rows but {t.RowClasses.Count} row classes", nameof(page));
    }

    private static void WriteTable(TextWriter w, HtmlTable table)
    {
        w.Write("<table>\n<thead><tr>");
        foreach (string h in table.Header) w.Write($"<th>{HtmlText.Escape(h)}</th>");
        w.Write("</tr></thead>\n<tbody>\n");
        for (int i = 0; i < table.Rows.Count; i++)
        {
            string? cls = table.RowClasses?[i];
            w.Write(string.IsNullOrEmpty(cls) ? "<tr>" : $"<tr class=\"{HtmlText.Escape(cls)}\">");
            foreach (string cell in table.Rows[i])
                w.Write(Numeric().IsMatch(cell) ? $"<td class=\"num\">{HtmlText.Escape(cell)}</td>" : $"<td>{HtmlText.Escape(cell)}</td>");
            w.Write("</tr>\n");
        }
        w.Write("</tbody>\n</table>\n");
    }

    /// <summary>Which colour is which side, and which number is which run in the strip plots.</summary>
    private static void WriteKey(TextWriter w, HtmlKey key)
    {
        w.Write("<section id=\"key\">\n<h2>Sides and runs</h2>\n<table>\n<thead><tr><th>side</th><th>runs</th></tr></thead>\n<tbody>\n");
        foreach (string side in key.Sides)
        {
            var runs = key.RunsOf(side);
            w.Write($"<tr><td><span class=\"swatch\" style=\"background: {key.Css(side)}\"></span>{HtmlText.Escape(side)}</td><td>");
            w.Write(runs.Count == 0 ? "none" : string.Join(", ", runs.Select((r, i) => $"{i + 1}: {HtmlText.Escape(r)}")));
            w.Write("</td></tr>\n");
        }
        w.Write("</tbody>\n</table>\n</section>\n");
    }

    private static void WriteFigure(TextWriter w, string title, string? svg)
    {
        w.Write($"<figure>\n<figcaption><h3>{HtmlText.Escape(title)}</h3></figcaption>\n");
        w.Write(svg ?? "<p class=\"empty\">no values</p>");
        w.Write("\n</figure>\n");
    }

    /// <summary>A cell that reads as a number or a change ("+3.1 %", "−6.7 %", "1.2 GiB", "[−2 %, +4 %]"), right-aligned.</summary>
    [GeneratedRegex(@"^[\[\(]?[+\-−±]?\d")]
    private static partial Regex Numeric();
}
