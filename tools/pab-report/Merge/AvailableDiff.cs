using Pab.Common;
using Pab.Report.Input;

namespace Pab.Report.Merge;

/// <summary>
/// The original's first metric: idle minus antagonized available bytes, less what the antagonist held in the kernel.
/// 0 on a well-behaved allocator; positive when kernel allocations cost userspace more memory than they hold.
/// </summary>
public static class AvailableDiff
{
    public const string Tool = "pab-report";

    /// <summary>Computed within each run: its idle, antagonized and held bytes belong to one boot.</summary>
    public static List<Series> Compute(IReadOnlyList<Series> all)
    {
        var result = new List<Series>();
        foreach (var run in all.GroupBy(s => s.Owner))
            ComputeRun(run.ToList(), result);
        return result;
    }

    private static void ComputeRun(IReadOnlyList<Series> series, List<Series> result)
    {
        foreach (var first in Orders(series, Metrics.AntagonizedAvailableBytes))
        {
            int? order = first.Key.Order, cpus = first.Key.Cpus;
            if (HasOrder(series, Metrics.MemoryAvailableDiffBytes, order, cpus)) continue; // the input has it (e.g. an original first-version file)
            var antagonized = ByIteration(series, Metrics.AntagonizedAvailableBytes, order, cpus);
            // In a CPU-count sweep the idle phase was measured once per order, for every count.
            var idle = ByIteration(series, Metrics.IdleAvailableBytes, order, null);
            if (idle.Count == 0) idle = ByIteration(series, Metrics.IdleAvailableBytes, null, null); // idle runs need no order
            var held = ByIteration(series, Metrics.KernelHeldBytes, order, cpus);
            if (idle.Count == 0 || held.Count == 0) continue;
            foreach (var point in antagonized)
            {
                int iteration = point.Iteration;
                long antagonizedBytes = point.Value;
                if (Pick(idle, iteration) is not long idleBytes || Pick(held, iteration) is not long heldBytes) continue;
                long diff = idleBytes - antagonizedBytes - heldBytes;
                var key = new SeriesKey(Metrics.MemoryAvailableDiffBytes, order, null, iteration == -1 ? null : iteration, cpus);
                var owner = point.Source.Owner;
                var header = new Record
                {
                    Type = RecordType.Metric, Run = owner.Id, Tool = Tool, ToolVersion = ToolInfo.Version,
                    Metric = key.Metric, Order = order, Iteration = key.Iteration, AntagonistCpus = cpus, Unit = Units.Bytes,
                    Details = new Dictionary<string, double>
                    {
                        [Metrics.IdleAvailableBytes] = idleBytes,
                        [Metrics.AntagonizedAvailableBytes] = antagonizedBytes,
                        [Metrics.KernelHeldBytes] = heldBytes,
                    },
                };
                var s = new Series(key, Units.Bytes, owner);
                s.Items.Add(new Contribution(header, ValueChunk.Single(diff), new SourcePos("(computed)", 0)));
                result.Add(s);
            }
        }
    }

    /// <summary>
    /// Why memory_available_diff_bytes is missing where a reader would expect it: each run and order with
    /// antagonized (or only idle) available bytes but not every input of the difference.
    /// </summary>
    public static List<NotComputed> Missing(IReadOnlyList<Series> all, IReadOnlyList<Series> derived)
    {
        var result = new List<NotComputed>();
        const string Inputs = "it needs idle and antagonized available bytes at the same order and iteration in the same run, and kernel_held_bytes of that order";
        foreach (var run in all.GroupBy(s => s.Owner))
        {
            var series = run.ToList();
            var antagonized = Orders(series, Metrics.AntagonizedAvailableBytes);
            bool idle = series.Any(s => s.Key.Metric == Metrics.IdleAvailableBytes && s.Key.Label == null);
            if (antagonized.Count == 0)
            {
                if (idle && !series.Any(s => s.Key.Metric == Metrics.MemoryAvailableDiffBytes))
                    result.Add(new NotComputed(run.Key.Id, null, $"the run has idle_available_bytes but no antagonized_available_bytes; {Inputs}"));
                continue;
            }
            foreach (var first in antagonized)
            {
                int? orderKey = first.Key.Order, cpus = first.Key.Cpus;
                if (HasOrder(series, Metrics.MemoryAvailableDiffBytes, orderKey, cpus)) continue;
                int made = derived.Count(d => d.Owner == run.Key && d.Key.Order == orderKey && d.Key.Cpus == cpus);
                int wanted = series.Count(s => s.Key.Metric == Metrics.AntagonizedAvailableBytes && s.Key.Label == null && s.Key.Order == orderKey && s.Key.Cpus == cpus);
                var lacking = new List<string>();
                if (!idle) lacking.Add("idle_available_bytes");
                if (!series.Any(s => s.Key.Metric == Metrics.KernelHeldBytes && s.Key.Order == orderKey && s.Key.Cpus == cpus && s.Key.Label == null))
                    lacking.Add($"kernel_held_bytes at order {orderKey}{first.Key.Group.CpusText}");
                if (made == wanted) continue;
                string why = lacking.Count > 0
                    ? $"the run has antagonized_available_bytes at order {orderKey} but no {string.Join(" and no ", lacking)}"
                    : made == 0
                        ? "no iteration has idle and antagonized available bytes and held bytes all (or one of them has several values under --keep all)"
                        : $"computed for {made} of {wanted} iterations; the others lack a matching idle_available_bytes or kernel_held_bytes";
                result.Add(new NotComputed(run.Key.Id, orderKey, $"{why}; {Inputs}") { Cpus = cpus });
            }
        }
        return result;
    }

    /// <summary>The orders (null first, then ascending) and CPU counts at which the run has <paramref name="metric"/> without a label: the first series of each.</summary>
    private static List<Series> Orders(IReadOnlyList<Series> series, string metric) =>
        series.Where(s => s.Key.Metric == metric && s.Key.Label == null).GroupBy(s => (s.Key.Order, s.Key.Cpus))
            .Select(g => g.First()).OrderBy(s => s.Key.Order ?? -1).ThenBy(s => s.Key.Cpus ?? 0).ToList();

    private static bool HasOrder(IReadOnlyList<Series> series, string metric, int? order, int? cpus) =>
        series.Any(s => s.Key.Metric == metric && s.Key.Order == order && s.Key.Cpus == cpus);

    private sealed record Point(int Iteration, long Value, Series Source);

    // Iteration (-1 for none) → the key's value, ascending by iteration, where the key holds exactly one value (with --keep all it may hold more: then it is ambiguous and left out); of two for one iteration, the later.
    private static List<Point> ByIteration(IReadOnlyList<Series> series, string metric, int? order, int? cpus) =>
        series.Where(s => s.Key.Metric == metric && s.Key.Order == order && s.Key.Cpus == cpus && s.Key.Label == null && s.ValueCount == 1)
            .GroupBy(s => s.Key.Iteration ?? -1).Select(g => new Point(g.Key, g.Last().Items[0].Values[0], g.Last()))
            .OrderBy(p => p.Iteration).ToList();

    // The same iteration's value, or the only value when the input measured it once for all iterations.
    private static long? Pick(List<Point> points, int iteration) =>
        points.FirstOrDefault(p => p.Iteration == iteration)?.Value ?? (points.Count == 1 ? points[0].Value : null);
}
