using Pab.Common;
using Pab.Report.Merge;

namespace Pab.Report.Summaries;

/// <summary>
/// Flags data that cannot carry a conclusion, as hyperfine does: too few values, outliers, a first iteration
/// unlike the rest, failed kernel allocations, error events.
/// </summary>
public static class Advice
{
    /// <summary>Fewer iterations than this give no usable spread.</summary>
    public const int MinIterations = 5;
    /// <summary>Fewer sampled latencies than this give no usable percentiles.</summary>
    public const int MinSamples = 100;
    /// <summary>Modified z-score (0.6745·|x − median| / MAD) above which a value is an outlier (Iglewicz and Hoaglin).</summary>
    public const double OutlierScore = 3.5;

    public static List<Warning> For(MergedData data)
    {
        var warnings = new List<Warning>();
        foreach (var (key, runs) in data.GroupsByRun())
        {
            var series = runs.SelectMany(r => r.Series).ToList();
            bool samples = series.Any(s => s.IsSamples);
            if (samples)
            {
                // Latency samples are distributions: long tails are the point, not outliers.
                foreach (var (run, ofRun) in runs)
                {
                    long n = Series.ValueCountOf(ofRun);
                    if (n < MinSamples)
                        warnings.Add(new Warning(key, $"only {n} sampled values; percentiles from so few are noise: run the antagonist longer or with a larger sample", Of(run, runs.Count)));
                }
                continue;
            }
            // Values are named as the report shows them: with the digits the whole row's noise calls for.
            var row = ReportRows.Row(key, series);
            // Iterations are judged within their run: between runs they differ by the boot, which is no outlier.
            foreach (var (run, ofRun) in runs)
            {
                double[] values = Summary.Values(ofRun);
                string? where = Of(run, runs.Count);
                // Totals measured once per run (allocations, failures, held bytes) have no iterations to count.
                if (values.Length < MinIterations && ofRun.Any(s => s.Key.Iteration != null))
                    warnings.Add(new Warning(key, $"only {values.Length} value(s); too few to judge the spread: run at least {MinIterations} iterations", where));
                var outliers = Outliers(ofRun);
                if (outliers.Count > 0)
                    warnings.Add(new Warning(key, $"{outliers.Count} of {values.Length} values {(outliers.Count == 1 ? "is an outlier" : "are outliers")} (MAD-based score > {OutlierScore}: {Name(outliers, row)}); something else was running or the machine was not in a steady state: rerun on a quiet machine, or look at those iterations", where));
                if (FirstIterationDiffers(ofRun) is { } first)
                    warnings.Add(new Warning(key, $"the first iteration ({row.Format(first.Value)}) is far from the rest (median {row.Format(first.RestMedian)}); a cold start (page cache, compaction) distorts it: add a warm-up iteration or discard the first", where));
                // Failures the fills' pressure explains are a measurement (FailureRule), shown in the kernel's account.
                if (key.Metric == Metrics.KernelAllocFailures && values.Any(v => v > 0) && FailureRule.Of(data, key.Order, run, values.Sum(), key.Cpus) is { Explained: false } failed)
                    warnings.Add(new Warning(key, $"the kernel workers failed {UnitFormat.Count((long)values.Sum())} allocation(s) ({failed.Describe()}); the other metrics of this order are suspect: check dmesg and the antagonist's options", where));
            }
        }
        foreach (var e in data.Events.Where(e => e.Event == "error"))
            warnings.Add(new Warning(null, $"{e.Tool ?? "a tool"} reported an error in run {e.Run}{Where(e)}: {e.Message}; its results may be incomplete"));
        foreach (var e in data.Events.Where(e => e.Event == "interrupted"))
            warnings.Add(new Warning(null, $"{e.Tool ?? "a tool"} was interrupted in run {e.Run}{Where(e)}: {e.Message}; rerun what is missing and merge both files"));
        return warnings;
    }

    // The run is named only where several are merged.
    private static string? Of(RunInfo run, int runs) => runs > 1 ? run.Id : null;

    private static string Where(Record e) => e.Order is int o ? $" (order {o})" : "";

    /// <summary>The outlying values of one run's series, with their iterations.</summary>
    public static List<IterationValue> Outliers(IReadOnlyList<Series> series)
    {
        var all = series.SelectMany(s => s.Items.SelectMany(c => Enumerable.Range(0, c.Values.Count).Select(i => new IterationValue(c.Values[i], s.Key.Iteration)))).ToList();
        if (all.Count < 3) return [];
        var (median, mad) = Summary.MedianMad([.. all.Select(v => v.Value)]);
        if (mad == 0) return [];
        return all.FindAll(v => IsOutlier(v.Value, median, mad));
    }

    private static string Name(List<IterationValue> outliers, ReportRow row)
    {
        const int Shown = 5;
        var named = outliers.Take(Shown).Select(o => row.Format(o.Value) + (o.Iteration is int i ? $" at iteration {i}" : ""));
        return string.Join(", ", named) + (outliers.Count > Shown ? $" and {outliers.Count - Shown} more" : "");
    }

    /// <summary>The first iteration, when it lies far from the others' median (by their MAD, or by 1 % when they agree exactly).</summary>
    public static (double Value, double RestMedian)? FirstIterationDiffers(IReadOnlyList<Series> series)
    {
        var byIteration = series.Where(s => s.Key.Iteration != null && s.Items.Count > 0).OrderBy(s => s.Key.Iteration!.Value).ToList();
        if (byIteration.Count < 4) return null;
        double first = byIteration[0].Items[0].Values[0];
        double[] rest = Summary.Values(byIteration.Skip(1));
        var (median, mad) = Summary.MedianMad(rest);
        bool far = mad > 0 ? IsOutlier(first, median, mad) : Math.Abs(first - median) > 0.01 * Math.Abs(median);
        return far ? (first, median) : null;
    }

    // The modified z-score of Iglewicz and Hoaglin: 0.6745 (the normal's MAD in σ) · |x − median| / MAD.
    private static bool IsOutlier(double value, double median, double mad) => 0.6745 * Math.Abs(value - median) / mad > OutlierScore;
}
