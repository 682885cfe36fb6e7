using MathNet.Numerics.Statistics;
using Pab.Common;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Compare;

/// <summary>
/// The run is the unit that replicates (one boot), so each run is summarised first and sides are compared over
/// those summaries: a run's iterations by their median; its latency sample by its p50, p90 and p99, where the
/// antagonist's exact percentiles are not in the records; a count by its rate per second where the antagonist's
/// run time is known; anything measured once per run as it is.
/// </summary>
public static class RunSummaries
{
    public static readonly int[] Percentiles = [50, 90, 99];
    /// <summary>Rows whose no-change is 0 and that may be negative: compared as differences in their unit, never as ratios.</summary>
    public static readonly IReadOnlySet<string> DifferenceMetrics = new HashSet<string>(StringComparer.Ordinal) { Metrics.MemoryAvailableDiffBytes };

    /// <summary>
    /// Rows that are another row's quantity, left out where that row is present: per second of the run, the
    /// antagonist's allocations are its allocation rate, and its frees (it frees every page it took before it
    /// stops) the same number again. Compared three times, one effect would count as three.
    /// </summary>
    private static readonly Dictionary<string, string[]> SameQuantityAs = new(StringComparer.Ordinal)
    {
        [Metrics.KernelPageAllocs] = [Metrics.KernelPageAllocRate],
        [Metrics.KernelPageFrees] = [Metrics.KernelPageAllocRate, Metrics.KernelPageAllocs],
    };

    public static Dictionary<GroupKey, RowRuns> Of(MergedData data)
    {
        var rows = new Dictionary<GroupKey, RowRuns>();
        var groups = data.GroupsByRun();
        var present = groups.Select(g => g.Key).ToHashSet();
        var durations = Durations(data);
        foreach (var (key, runs) in groups)
        {
            string unit = runs[0].Series[0].Unit;
            bool samples = runs.Any(r => r.Series.Any(s => s.IsSamples));
            if (samples)
            {
                foreach (int p in Percentiles)
                {
                    var exact = key with { Metric = PercentileName(key.Metric, p) };
                    if (present.Contains(exact)) continue;
                    var values = runs.Select(r =>
                    {
                        double[] within = Summary.Values(r.Series);
                        return new RunValue(r.Run, Statistics.QuantileCustom(within, p / 100.0, QuantileDefinition.R8), within);
                    }).ToList();
                    rows[exact] = new RowRuns(exact, unit, $"p{p} of each run's latency sample", values, FromSample: true) { Quantile = p / 100.0 };
                }
                continue;
            }
            if (SameQuantityAs.TryGetValue(key.Metric, out var shownAs) && shownAs.Any(m => present.Contains(key with { Metric = m })))
                continue;
            bool perIteration = runs.Any(r => r.Series.Any(s => s.Key.Iteration != null));
            bool rate = !perIteration && unit == Units.Count && runs.All(r => durations.ContainsKey((r.Run, key.Order, key.Cpus)));
            var list = runs.Select(r =>
            {
                double[] within = Summary.Values(r.Series);
                double v = rate ? within.Sum() / durations[(r.Run, key.Order, key.Cpus)]
                    : within.Length == 1 ? within[0] : Statistics.Median(within);
                // Within-run values are the iterations; a total's only value is the run's own summary.
                return new RunValue(r.Run, v, perIteration ? within : [v]);
            }).ToList();
            string how = perIteration ? "median of each run's iterations" : rate ? "per second of the antagonist's run" : "once per run";
            rows[key] = new RowRuns(key, rate ? UnitFormat.PerSecond : unit, how, list, FromSample: false);
        }
        return rows;
    }

    /// <summary>kernel_page_alloc_latencies_ns at 50 → kernel_page_alloc_latency_p50_ns, the name of the antagonist's exact figure.</summary>
    public static string PercentileName(string metric, int p)
    {
        const string Suffix = "_latencies_ns";
        return metric.EndsWith(Suffix, StringComparison.Ordinal)
            ? $"{metric[..^Suffix.Length]}_latency_p{p}_ns"
            : $"{metric}_p{p}";
    }

    // The antagonist's run time per run, order and CPU count (a sweep's), from its records' details.
    private static Dictionary<(RunInfo, int?, int?), double> Durations(MergedData data)
    {
        var map = new Dictionary<(RunInfo, int?, int?), double>();
        foreach (var s in data.Measured)
            foreach (var c in s.Items)
                if (c.Header.Details?.GetValueOrDefault("run_time_s") is > 0 and var t)
                    map[(s.Owner, s.Key.Order, s.Key.Cpus)] = t;
        return map;
    }
}
