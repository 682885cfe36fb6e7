using Pab.Common;

namespace Pab.Report;

/// <summary>
/// The original's first metric: idle minus antagonized available bytes, less what the antagonist held in the kernel.
/// 0 on a well-behaved allocator; positive when kernel allocations cost userspace more memory than they hold.
/// </summary>
public static class Composite
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
        var already = series.Where(s => s.Key.Metric == Metrics.MemoryAvailableDiffBytes).Select(s => s.Key.Order).ToHashSet();
        var antagonizedOrders = series.Where(s => s.Key.Metric == Metrics.AntagonizedAvailableBytes && s.Key.Label == null)
            .Select(s => s.Key.Order).Distinct().OrderBy(o => o ?? -1);
        foreach (int? order in antagonizedOrders)
        {
            if (already.Contains(order)) continue; // the input has it (e.g. an original first-version file)
            var antagonized = ByIteration(series, Metrics.AntagonizedAvailableBytes, order);
            var idle = ByIteration(series, Metrics.IdleAvailableBytes, order);
            if (idle.Count == 0) idle = ByIteration(series, Metrics.IdleAvailableBytes, null); // idle runs need no order
            var held = ByIteration(series, Metrics.KernelHeldBytes, order);
            if (idle.Count == 0 || held.Count == 0) continue;
            foreach (var (iteration, (antagonizedBytes, source)) in antagonized)
            {
                if (Pick(idle, iteration) is not long idleBytes || Pick(held, iteration) is not long heldBytes) continue;
                long diff = idleBytes - antagonizedBytes - heldBytes;
                var key = new SeriesKey(Metrics.MemoryAvailableDiffBytes, order, null, iteration == -1 ? null : iteration);
                var owner = source.Owner;
                var header = new Record
                {
                    Type = RecordType.Metric, Run = owner.Id, Tool = Tool, ToolVersion = ToolInfo.Version,
                    Metric = key.Metric, Order = order, Iteration = key.Iteration, Unit = Units.Bytes,
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

    // Iteration (-1 for none) → the key's value, where the key holds exactly one value (with --keep all it may hold more: then it is ambiguous and left out).
    private static SortedDictionary<int, (long Value, Series Source)> ByIteration(IReadOnlyList<Series> series, string metric, int? order)
    {
        var map = new SortedDictionary<int, (long, Series)>();
        foreach (var s in series)
            if (s.Key.Metric == metric && s.Key.Order == order && s.Key.Label == null && s.ValueCount == 1)
                map[s.Key.Iteration ?? -1] = (s.Items[0].Values[0], s);
        return map;
    }

    // The same iteration's value, or the only value when the input measured it once for all iterations.
    private static long? Pick(SortedDictionary<int, (long Value, Series Source)> map, int iteration) =>
        map.TryGetValue(iteration, out var v) ? v.Value : map.Count == 1 ? map.First().Value.Value : null;
}
