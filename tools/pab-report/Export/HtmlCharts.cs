using System.Globalization;
using System.Xml.Linq;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Pab.Report.Export;

/// <summary>The page's charts, drawn by OxyPlot and exported as inline SVG.</summary>
internal static class HtmlCharts
{
    public const int Width = 900;
    public const int StripHeight = 380;
    public const int CdfHeight = 420;
    private const string Font = "Helvetica, Arial, sans-serif";

    /// <summary>Strip plot: sides along x, each side's runs side by side (numbered as in the page's key), a run's iterations left to right, a bar at its median. Null when no value is finite.</summary>
    public static string? Strip(MetricPanel panel, HtmlKey key, string id)
    {
        var runs = panel.Runs.Select(r => (r.Side, r.Run, Values: r.Values.Where(double.IsFinite).ToArray()))
            .Where(r => r.Values.Length > 0).ToList();
        if (runs.Count == 0) return null;
        var sides = runs.Select(r => r.Side).Distinct().OrderBy(key.SideOf).ToList();
        double lo = runs.Min(r => r.Values.Min()), hi = runs.Max(r => r.Values.Max());
        var scale = AxisScale.For(panel.Unit, Math.Max(Math.Abs(lo), Math.Abs(hi)));
        lo /= scale.Factor;
        hi /= scale.Factor;
        double pad = hi > lo ? (hi - lo) * 0.08 : Math.Max(Math.Abs(hi) * 0.02, 1);

        var model = NewModel();
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom, Title = "side (runs numbered as in the key; a run's iterations left to right)",
            Minimum = -0.5, Maximum = sides.Count - 0.5, MajorStep = 1, MinorStep = 1, TickStyle = TickStyle.None,
            LabelFormatter = v => CategoryLabel(v, sides),
            ExtraGridlines = Enumerable.Range(0, sides.Count - 1).Select(i => i + 0.5).ToArray(),
            ExtraGridlineColor = OxyColor.FromRgb(0xbb, 0xbb, 0xbb),
            IsZoomEnabled = false, IsPanEnabled = false,
        });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left, Title = scale.Title(panel.Title),
            Minimum = lo - pad, Maximum = hi + 2.5 * pad,
            MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
        });

        foreach (var (side, run, values) in runs)
        {
            int c = sides.IndexOf(side), n = key.RunsOf(side).Count, number = key.Number(side, run);
            double slot = 0.8 / n, x = c - 0.4 + slot * (number - 0.5);
            var colour = key.Colour(side);
            var points = new ScatterSeries { MarkerType = MarkerType.Circle, MarkerSize = 3.5, MarkerFill = OxyColor.FromAColor(200, colour), MarkerStroke = OxyColors.White, MarkerStrokeThickness = 0.5 };
            double spread = Math.Min(slot * 0.5, 0.12);
            for (int i = 0; i < values.Length; i++)
            {
                double dx = values.Length > 1 ? spread * ((double)i / (values.Length - 1) - 0.5) : 0;
                points.Points.Add(new ScatterPoint(x + dx, values[i] / scale.Factor));
            }
            double median = Median(values) / scale.Factor, half = spread / 2 + slot * 0.12;
            var bar = new LineSeries { Color = colour, StrokeThickness = 2 };
            bar.Points.Add(new DataPoint(x - half, median));
            bar.Points.Add(new DataPoint(x + half, median));
            model.Series.Add(bar);
            model.Series.Add(points);
            model.Annotations.Add(new TextAnnotation
            {
                Text = number.ToString(CultureInfo.InvariantCulture), TextPosition = new DataPoint(x, hi + 1.4 * pad),
                Stroke = OxyColors.Transparent, Background = OxyColors.Transparent, TextColor = colour, FontSize = 11,
                TextHorizontalAlignment = HorizontalAlignment.Center, TextVerticalAlignment = VerticalAlignment.Middle,
            });
        }
        return Svg(model, StripHeight, id);
    }

    /// <summary>CDFs on a log axis, one line per run, coloured by side, a legend by side. Null when no line has a positive value.</summary>
    public static string? Cdf(CdfPanel panel, HtmlKey key, string id)
    {
        var lines = panel.Lines.Select(l => (l.Side, l.Run, Points: CdfThinning.Points(l.Values)))
            .Where(l => l.Points.Length > 0).ToList();
        if (lines.Count == 0) return null;
        var scale = AxisScale.For(panel.Unit, Median(lines.Select(l => MedianOf(l.Points)).ToArray()));
        string what = panel.Unit == Pab.Common.Units.Nanoseconds ? "latency" : "value";

        var model = NewModel();
        model.Axes.Add(new LogarithmicAxis
        {
            Position = AxisPosition.Bottom, Title = scale.Title(what) + ", log scale",
            MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
            MinorGridlineStyle = LineStyle.Dot, MinorGridlineColor = OxyColor.FromRgb(0xee, 0xee, 0xee),
        });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left, Title = "fraction of operations ≤ x", Minimum = 0, Maximum = 1, MajorStep = 0.1, MinorStep = 0.05,
            MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
        });
        model.Legends.Add(new Legend
        {
            LegendPosition = LegendPosition.RightBottom, LegendPlacement = LegendPlacement.Inside,
            LegendBackground = OxyColor.FromAColor(220, OxyColors.White), LegendBorder = OxyColor.FromRgb(0xbb, 0xbb, 0xbb),
            LegendFont = Font,
        });
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (side, run, points) in lines.OrderBy(l => key.SideOf(l.Side)))
        {
            var series = new LineSeries
            {
                Color = OxyColor.FromAColor(210, key.Colour(side)), StrokeThickness = 1.3,
                // One legend entry a side: OxyPlot leaves untitled series out of the legend.
                Title = named.Add(side) ? HtmlText.Clean(side) : null,
            };
            foreach (var (x, y) in points) series.Points.Add(new DataPoint(x / scale.Factor, y));
            model.Series.Add(series);
        }
        return Svg(model, CdfHeight, id);
    }

    private static PlotModel NewModel() => new()
    {
        DefaultFont = Font, DefaultFontSize = 12, Background = OxyColors.White,
        PlotAreaBorderColor = OxyColor.FromRgb(0x88, 0x88, 0x88), Padding = new OxyThickness(8, 12, 16, 8),
    };

    private static string CategoryLabel(double v, List<string> sides)
    {
        int i = (int)Math.Round(v);
        return Math.Abs(v - i) < 1e-6 && i >= 0 && i < sides.Count ? HtmlText.Clean(sides[i]) : "";
    }

    /// <summary>The chart as an element to inline: ids made unique in the page (an HTML document shares one id space), a viewBox so CSS can scale it.</summary>
    internal static string Svg(PlotModel model, int height, string id)
    {
        // Axis titles and labels reach the SVG through OxyPlot's XML writer; it escapes them.
        foreach (var a in model.Axes) a.Title = a.Title is null ? null : HtmlText.Clean(a.Title);
        var svg = XElement.Parse(SvgExporter.ExportToString(model, Width, height, isDocument: false, textMeasurer: new SvgTextMeasurer(), useVerticalTextAlignmentWorkaround: false));
        foreach (var e in svg.DescendantsAndSelf())
            foreach (var a in e.Attributes())
            {
                if (a.Name.LocalName == "id") a.Value = id + "-" + a.Value;
                else if (a.Value.Contains("url(#", StringComparison.Ordinal)) a.Value = a.Value.Replace("url(#", "url(#" + id + "-", StringComparison.Ordinal);
            }
        svg.SetAttributeValue("viewBox", $"0 0 {Width} {height}");
        svg.SetAttributeValue("role", "img");
        return svg.ToString(SaveOptions.DisableFormatting);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double MedianOf((double X, double Y)[] cdf) => cdf.First(p => p.Y >= 0.5).X;
}
