using Pab.Common;
using Pab.Report.Merge;

namespace Pab.Report.Summaries;

/// <summary>One point of a CPU-count sweep: a metric's values at one antagonist CPU count, pooled over runs and iterations.</summary>
public sealed record SweepPoint(int Cpus, string Unit, int Runs, Summary Summary);

/// <summary>A metric at one order against the antagonist's CPU count; <paramref name="Idle"/>: the idle phase's median, for available bytes.</summary>
public sealed record SweepCurve(string Metric, int? Order, string Unit, IReadOnlyList<SweepPoint> Points, double? Idle)
{
    public string Title => $"{Metric}{(Order is int o ? $" order {o}" : "")} against the antagonist's CPU count";
}

/// <summary>
/// The curves of a CPU-count sweep (records carrying antagonist_cpus): per order, the antagonized available
/// bytes (one value per iteration), the allocation rate and the exact latency percentiles (one value per run),
/// each point with its spread. Empty for a run without a sweep.
/// </summary>
public static class SweepCurves
{
    /// <summary>The metrics a sweep is shown by, in the table's order.</summary>
    public static readonly string[] Shown =
    [
        Metrics.AntagonizedAvailableBytes, Metrics.MemoryAvailableDiffBytes, Metrics.KernelPageAllocRate,
        Metrics.KernelPageLatency("alloc", "p50"), Metrics.KernelPageLatency("alloc", "p99"),
    ];

    public static List<SweepCurve> Of(MergedData data)
    {
        var groups = data.Groups();
        var curves = new List<SweepCurve>();
        foreach (var order in groups.Where(g => g.Key.Cpus != null).Select(g => g.Key.Order).Distinct().OrderBy(o => o ?? -1))
            foreach (string metric in Shown)
            {
                var points = groups.Where(g => g.Key.Metric == metric && g.Key.Order == order && g.Key.Label == null && g.Key.Cpus != null)
                    .OrderBy(g => g.Key.Cpus)
                    .Select(g => new SweepPoint(g.Key.Cpus!.Value, g.Series[0].Unit, g.Series.Select(s => s.Owner).Distinct().Count(), Summary.Of(g.Series)))
                    .ToList();
                if (points.Count == 0) continue;
                double? idle = null;
                if (metric == Metrics.AntagonizedAvailableBytes
                    && groups.FirstOrDefault(g => g.Key.Metric == Metrics.IdleAvailableBytes && g.Key.Label == null && g.Key.Cpus == null
                        && (g.Key.Order == order || g.Key.Order == null)) is { } idleGroup)
                    idle = Summary.Of(idleGroup.Series).Median;
                curves.Add(new SweepCurve(metric, order, points[0].Unit, points, idle));
            }
        return curves;
    }
}
