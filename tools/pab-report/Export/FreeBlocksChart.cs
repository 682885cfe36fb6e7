using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>One order's free memory by block order at the end of each phase: a line per side and phase.</summary>
public sealed record FreeBlocksPanel(string Title, IReadOnlyList<FreeBlocksLine> Lines)
{
    /// <summary>The panels of one side's (or one report's) kernel's account, one per order.</summary>
    public static List<FreeBlocksPanel> Of(IReadOnlyList<(string Side, KernelAccount Account)> sides)
    {
        var panels = new List<FreeBlocksPanel>();
        foreach (int order in sides.SelectMany(s => s.Account.Orders).Distinct().Order())
        {
            var lines = new List<FreeBlocksLine>();
            foreach (var (side, account) in sides)
                foreach (string phase in account.AntagonizedPhases(order).Select(p => p.Phase).Prepend(KernelAccount.Idle))
                {
                    var runs = account.Of(order, phase);
                    int max = KernelAccount.MaxBlockOrder(runs);
                    if (max < 0) continue;
                    lines.Add(new FreeBlocksLine(side, phase, Enumerable.Range(0, max + 1).Select(k => KernelAccount.FreeBytes(runs, k)).ToArray()));
                }
            if (lines.Count > 0)
                panels.Add(new FreeBlocksPanel($"free memory by block order at the end of each phase, order {order} (mean of runs)", lines));
        }
        return panels;
    }
}

/// <summary>Free bytes in blocks of order 0, 1, 2 … of one side's phase.</summary>
public sealed record FreeBlocksLine(string Side, string Phase, double[] BytesByOrder);

internal static class FreeBlocksChart
{
    /// <summary>Lines over block order on a log axis of MiB (order-10 blocks dwarf the rest): solid idle, dashed antagonized, coloured by side.</summary>
    public static string? Svg(FreeBlocksPanel panel, HtmlKey key, string id)
    {
        if (panel.Lines.Count == 0) return null;
        var model = new PlotModel
        {
            DefaultFont = "Helvetica, Arial, sans-serif", DefaultFontSize = 12, Background = OxyColors.White,
            PlotAreaBorderColor = OxyColor.FromRgb(0x88, 0x88, 0x88), Padding = new OxyThickness(8, 12, 16, 8),
        };
        int max = panel.Lines.Max(l => l.BytesByOrder.Length) - 1;
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "block order (2^order pages)", Minimum = -0.3, Maximum = max + 0.3, MajorStep = 1, MinorStep = 1 });
        model.Axes.Add(new LogarithmicAxis
        {
            Position = AxisPosition.Left, Title = "free MiB in blocks of that order, log scale", Minimum = 0.01,
            MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
        });
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.LeftTop, LegendPlacement = LegendPlacement.Inside, LegendBackground = OxyColor.FromAColor(220, OxyColors.White) });
        bool sides = panel.Lines.Select(l => l.Side).Distinct().Count() > 1;
        foreach (var line in panel.Lines)
        {
            var series = new LineSeries
            {
                Color = sides ? key.Colour(line.Side) : line.Phase == KernelAccount.Idle ? OxyColor.FromRgb(0x33, 0x66, 0xaa) : OxyColor.FromRgb(0xcc, 0x44, 0x22),
                LineStyle = line.Phase == KernelAccount.Idle ? LineStyle.Solid : LineStyle.Dash,
                MarkerType = MarkerType.Circle, MarkerSize = 3, StrokeThickness = 1.6,
                Title = HtmlText.Clean(sides ? $"{line.Side} {line.Phase}" : line.Phase),
            };
            for (int k = 0; k < line.BytesByOrder.Length; k++)
                if (double.IsFinite(line.BytesByOrder[k])) series.Points.Add(new DataPoint(k, Math.Max(line.BytesByOrder[k] / (1 << 20), 0.01)));
            model.Series.Add(series);
        }
        return HtmlCharts.Svg(model, HtmlCharts.StripHeight, id);
    }
}
