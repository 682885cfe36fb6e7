using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Pab.Report.Export;

/// <summary>The CPU-count sweep's curve: a point per count at its median, a bar from its min to its max, a line per side; idle dashed.</summary>
internal static class SweepChart
{
    public const int Height = 400;

    public static string? Svg(SweepPanel panel, HtmlKey key, string id)
    {
        var lines = panel.Lines.Where(l => l.Points.Count > 0).ToList();
        if (lines.Count == 0) return null;
        var all = lines.SelectMany(l => l.Points).ToList();
        double hi = Math.Max(all.Max(p => p.Summary.Max), lines.Max(l => l.Idle ?? double.MinValue));
        double lo = Math.Min(all.Min(p => p.Summary.Min), lines.Min(l => l.Idle ?? double.MaxValue));
        var scale = AxisScale.For(panel.Unit, Math.Max(Math.Abs(lo), Math.Abs(hi)));
        int[] counts = [.. all.Select(p => p.Cpus).Distinct().Order()];

        var model = new PlotModel
        {
            DefaultFont = "Helvetica, Arial, sans-serif", DefaultFontSize = 12, Background = OxyColors.White,
            PlotAreaBorderColor = OxyColor.FromRgb(0x88, 0x88, 0x88), Padding = new OxyThickness(8, 12, 16, 8),
        };
        // Counts double from point to point (1, 2, 4 …): a base-2 axis spaces them evenly.
        model.Axes.Add(new LogarithmicAxis
        {
            Position = AxisPosition.Bottom, Base = 2, Title = "CPUs the antagonist ran on (log scale); a point per count at its median, a bar from min to max",
            Minimum = counts[0] / 1.25, Maximum = counts[^1] * 1.25,
            MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
            LabelFormatter = v => counts.Any(c => Math.Abs(c - v) < 1e-6) ? v.ToString("0", CultureInfo.InvariantCulture) : "",
            MinorTickSize = 0, IsZoomEnabled = false, IsPanEnabled = false,
        });
        double pad = hi > lo ? (hi - lo) * 0.08 : Math.Max(Math.Abs(hi) * 0.02, 1);
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left, Title = scale.Title(panel.Title.Split(' ')[0]),
            Minimum = (lo - pad) / scale.Factor, Maximum = (hi + pad) / scale.Factor,
            MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
        });
        model.Legends.Add(new Legend
        {
            LegendPosition = LegendPosition.BottomCenter, LegendPlacement = LegendPlacement.Outside, LegendOrientation = LegendOrientation.Horizontal,
            LegendBackground = OxyColor.FromAColor(220, OxyColors.White), LegendBorder = OxyColor.FromRgb(0xbb, 0xbb, 0xbb),
        });
        for (int s = 0; s < lines.Count; s++)
        {
            var line = lines[s];
            var colour = key.ColourOf(line.Side);
            // Sides' points a little apart, so their bars do not hide each other.
            double shift = Math.Pow(2, (s - (lines.Count - 1) / 2.0) * 0.04);
            var curve = new LineSeries
            {
                Color = colour, StrokeThickness = 1.6, MarkerType = MarkerType.Circle, MarkerSize = 4, MarkerFill = colour,
                Title = HtmlText.Clean(line.Side),
            };
            foreach (var p in line.Points.OrderBy(p => p.Cpus))
            {
                double x = p.Cpus * shift;
                curve.Points.Add(new DataPoint(x, p.Summary.Median / scale.Factor));
                var bar = new LineSeries { Color = colour, StrokeThickness = 1.2 };
                double cap = Math.Pow(2, 0.05);
                bar.Points.Add(new DataPoint(x / cap, p.Summary.Min / scale.Factor));
                bar.Points.Add(new DataPoint(x * cap, p.Summary.Min / scale.Factor));
                bar.Points.Add(DataPoint.Undefined);
                bar.Points.Add(new DataPoint(x, p.Summary.Min / scale.Factor));
                bar.Points.Add(new DataPoint(x, p.Summary.Max / scale.Factor));
                bar.Points.Add(DataPoint.Undefined);
                bar.Points.Add(new DataPoint(x / cap, p.Summary.Max / scale.Factor));
                bar.Points.Add(new DataPoint(x * cap, p.Summary.Max / scale.Factor));
                model.Series.Add(bar);
            }
            model.Series.Add(curve);
            if (line.Idle is double idle)
            {
                var flat = new LineSeries { Color = colour, StrokeThickness = 1, LineStyle = LineStyle.Dash, Title = HtmlText.Clean(line.Side) + " idle" };
                flat.Points.Add(new DataPoint(counts[0] / 1.25, idle / scale.Factor));
                flat.Points.Add(new DataPoint(counts[^1] * 1.25, idle / scale.Factor));
                model.Series.Add(flat);
            }
        }
        return HtmlCharts.Svg(model, Height, id);
    }
}
