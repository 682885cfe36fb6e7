using System.Text;
using System.Xml.Linq;
using MathNet.Numerics.Distributions;
using Pab.Report.Export;
using Pab.Report.Commands;

namespace Pab.Tests.Report;

public class HtmlTests
{
    private static readonly string[] SampleSides = ["base", "new"];

    /// <summary>Two sides of three runs: available bytes per iteration (~870 MiB, one run of "new" 3 % low) and alloc latency samples (~2 µs, lognormal).</summary>
    internal static HtmlPage Sample(int latencyValues = 5000, int runsPerSide = 3)
    {
        var rng = new Random(7);
        var metrics = new List<RunPoints>();
        var lines = new List<CdfLine>();
        foreach (string side in SampleSides)
            for (int r = 0; r < runsPerSide; r++)
            {
                string run = $"2026120{r + 1}T0{r}0000Z-{(side == "base" ? 4000 : 5000) + r}";
                double level = 870.0 * (1 << 20) * (side == "new" && r == 1 ? 0.97 : 1);
                metrics.Add(new RunPoints(side, run, Enumerable.Range(0, 5).Select(_ => level * (1 + 0.004 * Normal.Sample(rng, 0, 1))).ToArray()));
                double mu = Math.Log(side == "base" ? 2000 : 1700);
                lines.Add(new CdfLine(side, run, LogNormal.Samples(rng, mu, 0.5).Take(latencyValues).ToArray()));
            }
        var verdicts = new HtmlTable(
            ["metric", "order", "base", "new", "change", "95 % interval", "verdict"],
            [["idle available", "0", "870 MiB", "866 MiB", "−0.5 %", "[−3.1 %, +0.4 %]", "no change larger than 3.1 % (3 runs a side)"],
             ["alloc latency p50", "0", "2.00 µs", "1.70 µs", "−15.0 %", "[−18.2 %, −11.9 %]", "lower"]],
            [null, "lower"]);
        return new HtmlPage("base against new", ["3 runs a side; intervals by bootstrap over runs."], verdicts,
            [new MetricPanel("idle available, order 0", "bytes", metrics)],
            [new CdfPanel("alloc latency, order 0", "ns", lines)], SampleSides);
    }

    private static string Html(HtmlPage page)
    {
        var sw = new StringWriter();
        HtmlReport.Write(page, sw);
        return sw.ToString();
    }

    /// <summary>Parses the page as XML (it must be well-formed), after its HTML doctype.</summary>
    private static XDocument Parse(string html)
    {
        const string doctype = "<!DOCTYPE html>";
        Assert.StartsWith(doctype, html);
        return XDocument.Parse(html[doctype.Length..]);
    }

    private static List<XElement> All(XDocument doc, string name) => doc.Descendants().Where(e => e.Name.LocalName == name).ToList();

    private static string Texts(XElement svg) => string.Join("\n", svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));

    [Fact]
    public void PageParsesWithOneSvgPerPanel()
    {
        var page = Sample() with
        {
            Metrics = [.. Sample().Metrics, Sample().Metrics[0] with { Title = "second" }, new MetricPanel("third", "count", [new RunPoints("base", "x", [3, 4])])],
        };
        var doc = Parse(Html(page));
        Assert.Equal(4, All(doc, "svg").Count);
        Assert.Equal(4, All(doc, "figure").Count);
        // Verdicts first, then notes, then the charts.
        var ids = All(doc, "section").Select(s => (string?)s.Attribute("id")).ToList();
        Assert.Equal(["verdicts", "notes", "key", "metrics", "cdfs"], ids);
        var rows = All(doc, "tr").Where(r => r.Ancestors().Any(a => (string?)a.Attribute("id") == "verdicts")).ToList();
        Assert.Equal("lower", (string?)rows[2].Attribute("class"));
        Assert.Null(rows[1].Attribute("class"));
    }

    [Fact]
    public void AxesNameTheirUnitsInHumanScale()
    {
        var doc = Parse(Html(Sample()));
        var svgs = All(doc, "svg");
        Assert.Contains("idle available, order 0 (MiB)", Texts(svgs[0]));
        Assert.Contains("latency (µs), log scale", Texts(svgs[1]));
        Assert.Contains("fraction of operations", Texts(svgs[1]));

        var big = new HtmlPage("t", [], null, [new MetricPanel("avail", "bytes", [new RunPoints("a", "r", [3.2 * (1L << 30), 3.3 * (1L << 30)])])],
            [new CdfPanel("free", "ns", [new CdfLine("a", "r", [200, 300, 450, 800])])]);
        var bigSvgs = All(Parse(Html(big)), "svg");
        Assert.Contains("avail (GiB)", Texts(bigSvgs[0]));
        Assert.Contains("latency (ns), log scale", Texts(bigSvgs[1]));
    }

    [Fact]
    public void UserTextIsEscaped()
    {
        const string side = "<b>A&B</b> \"q\" 'x'";
        const string run = "</svg><script>alert(1)</script>\u0001";
        var page = new HtmlPage("<title> & co", ["note with <i>tags</i> & \"quotes\""],
            new HtmlTable(["<th>"], [["a<b & c"]], ["lower\" onclick=\"x"]),
            [new MetricPanel("m <1>", "bytes", [new RunPoints(side, run, [1e9, 1.1e9])])],
            [new CdfPanel("c & d", "ns", [new CdfLine(side, run, [100, 200, 300])])], [side]);
        string html = Html(page);
        var doc = Parse(html);
        Assert.Empty(All(doc, "script"));
        Assert.Empty(All(doc, "b"));
        Assert.Empty(All(doc, "i"));
        Assert.Equal("<title> & co", All(doc, "h1").Single().Value);
        Assert.Equal("note with <i>tags</i> & \"quotes\"", All(doc, "li").Single().Value);
        Assert.Equal("a<b & c", All(doc, "td").First().Value);
        Assert.Equal("lower\" onclick=\"x", (string?)All(doc, "tr").Last(r => r.Attribute("class") != null).Attribute("class"));
        // The control character cannot be held by XML: replaced, the rest kept.
        string key = All(doc, "section").Single(s => (string?)s.Attribute("id") == "key").Value;
        Assert.Contains(side, key);
        Assert.Contains("</svg><script>alert(1)</script>\uFFFD", key);
        // Inside the SVGs too: the side names the strip plot's category and the CDF's legend.
        var svgs = All(doc, "svg");
        Assert.Equal(2, svgs.Count);
        Assert.Contains(side, Texts(svgs[0]));
        Assert.Contains(side, Texts(svgs[1]));
    }

    [Fact]
    public void LargeCdfIsThinned()
    {
        var page = Sample(latencyValues: 100_000, runsPerSide: 5);
        string html = Html(page);
        var doc = Parse(html);
        var svg = All(doc, "svg")[1];
        // Every run's line is drawn, each with at most ~400 points; the page stays small.
        var lines = svg.Descendants().Where(e => e.Name.LocalName == "polyline").ToList();
        Assert.True(lines.Count >= 10, $"{lines.Count} polylines");
        int most = lines.Max(l => ((string?)l.Attribute("points") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.InRange(most, 100, CdfThinning.BodyPoints + CdfThinning.TailPoints);
        Assert.True(Encoding.UTF8.GetByteCount(html) < 150_000, $"{Encoding.UTF8.GetByteCount(html)} bytes");
    }

    [Fact]
    public void ThinnedCdfKeepsEndsAndTail()
    {
        var values = LogNormal.Samples(new Random(3), 7, 0.6).Take(100_000).ToArray();
        var points = CdfThinning.Points([.. values, double.NaN, -1, 0]);
        Assert.InRange(points.Length, 300, 400);
        Assert.Equal(values.Min(), points[0].X);
        Assert.Equal(values.Max(), points[^1].X);
        Assert.Equal(1.0, points[^1].Y);
        for (int i = 1; i < points.Length; i++)
            Assert.True(points[i].X >= points[i - 1].X && points[i].Y > points[i - 1].Y, $"not increasing at {i}");
        // The tail beyond p99 has its own points, not the three or four an even spacing would leave it.
        Assert.True(points.Count(p => p.Y > 0.99) >= 50);
        Assert.Contains(points, p => p.Y > 0.999 && p.Y < 0.9999);
        // A small sample is kept whole.
        Assert.Equal([(1.0, 1 / 3.0), (2.0, 2 / 3.0), (5.0, 1.0)], CdfThinning.Points([5, 1, 2]));
    }

    [Fact]
    public void EmptyPageParses()
    {
        var doc = Parse(Html(new HtmlPage("nothing", [], null, [], [])));
        Assert.Empty(All(doc, "svg"));
        Assert.Empty(All(doc, "section"));
        Assert.Equal("nothing", All(doc, "h1").Single().Value);
        // A panel without values says so instead of drawing empty axes.
        var empty = Parse(Html(new HtmlPage("e", [], null, [new MetricPanel("m", "bytes", [new RunPoints("a", "r", [double.NaN])])],
            [new CdfPanel("c", "ns", [new CdfLine("a", "r", [0, -5])])])));
        Assert.Empty(All(empty, "svg"));
        Assert.Equal(2, All(empty, "p").Count(p => p.Value == "no values"));
    }

    [Fact]
    public void SidesKeepTheirColourAndOrderAcrossThePage()
    {
        // "new" is named first: it takes the first colour, in the key and in both charts.
        var page = Sample() with { Sides = ["new", "base"] };
        var doc = Parse(Html(page));
        var key = All(doc, "section").Single(s => (string?)s.Attribute("id") == "key");
        var swatches = key.Descendants("span").Select(s => ((string?)s.Attribute("style"), s.Parent!.Value)).ToList();
        Assert.Equal([("background: #0072b2", "new"), ("background: #d55e00", "base")], swatches);
        foreach (var svg in All(doc, "svg"))
        {
            string s = svg.ToString();
            Assert.Contains("rgb(0,114,178)", s);
            Assert.Contains("rgb(213,94,0)", s);
        }
    }

    [Fact]
    public void ChartIdsAreUniqueInThePage()
    {
        // One HTML document has one id space: a clip path of the second chart must not resolve to the first one's.
        var doc = Parse(Html(Sample() with { Metrics = [.. Sample().Metrics, .. Sample().Metrics] }));
        var svgs = All(doc, "svg");
        Assert.Equal(3, svgs.Count);
        var ids = doc.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var svg in svgs)
        {
            var own = svg.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ToHashSet();
            var refs = svg.DescendantsAndSelf().SelectMany(e => e.Attributes())
                .SelectMany(a => System.Text.RegularExpressions.Regex.Matches(a.Value, @"url\(#([^)]+)\)").Select(m => m.Groups[1].Value)).ToList();
            Assert.NotEmpty(refs);
            Assert.All(refs, r => Assert.Contains(r, own));
            Assert.NotNull(svg.Attribute("viewBox"));
        }
    }

    [Fact]
    public void MismatchedRowClassesAreRefused()
    {
        var page = Sample() with { Verdicts = new HtmlTable(["a"], [["1"], ["2"]], ["lower"]) };
        var e = Assert.Throws<ArgumentException>(() => Html(page));
        Assert.Contains("2 rows but 1 row classes", e.Message);
    }

    [Fact]
    public void HtmlOptionReplacesThePageAtomically()
    {
        using var dir = new TempDir("pab-html");
        string path = dir.Of("report.html"), input = dir.Of("run.jsonl");
        File.WriteAllText(input, string.Join("\n", ReportTestData.SmallRun().Select(ReportTestData.Line)) + "\n");
        File.WriteAllText(path, "old page");
        using (var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            Assert.Equal(0, ReportCli.Run([input, "--html", path, "--format", "csv"], new MemoryStream(), new StringWriter()));
            // Replaced by a rename: a reader of the old file still reads it whole, the path names the new page.
            Assert.Equal("old page", new StreamReader(reader).ReadToEnd());
        }
        Assert.NotEmpty(All(Parse(File.ReadAllText(path, Encoding.UTF8)), "svg"));
        Assert.Equal(["report.html", "run.jsonl"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
