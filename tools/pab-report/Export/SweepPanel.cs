using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>One side's curve: a point per CPU count (median, min, max) and, for available bytes, its idle median.</summary>
public sealed record SweepLine(string Side, IReadOnlyList<SweepPoint> Points, double? Idle);

/// <summary>A sweep chart: one metric at one order against the antagonist's CPU count, a line per side.</summary>
public sealed record SweepPanel(string Title, string Unit, IReadOnlyList<SweepLine> Lines)
{
    /// <summary>The panels of every side's sweep, one per metric and order any side swept.</summary>
    public static List<SweepPanel> Of(IReadOnlyList<(string Side, MergedData Data)> sides)
    {
        var curves = sides.Select(s => (s.Side, Curves: SweepCurves.Of(s.Data))).ToList();
        var keys = curves.SelectMany(c => c.Curves).Select(c => (c.Metric, c.Order)).Distinct()
            .OrderBy(k => k.Order ?? -1).ThenBy(k => Array.IndexOf(SweepCurves.Shown, k.Metric)).ToList();
        var panels = new List<SweepPanel>();
        foreach (var (metric, order) in keys)
        {
            var lines = curves.Select(c => (c.Side, Curve: c.Curves.FirstOrDefault(x => x.Metric == metric && x.Order == order)))
                .Where(c => c.Curve != null).Select(c => new SweepLine(c.Side, c.Curve!.Points, c.Curve.Idle)).ToList();
            var first = curves.SelectMany(c => c.Curves).First(x => x.Metric == metric && x.Order == order);
            panels.Add(new SweepPanel(first.Title, first.Unit, lines));
        }
        return panels;
    }
}
