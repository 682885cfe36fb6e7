using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>What one worker did, read after it ended: the input of <see cref="WorkerResults"/>.</summary>
public sealed record WorkerSummary(
    int Cpu, int Node, int Tid, long Allocs, long Frees, long Failures, long Remote, int PeakHeld,
    long StartTimestamp, long EndTimestamp, HeldIntegral HeldTicks,
    LatencyRecorder AllocLatency, LatencyRecorder FreeLatency)
{
    /// <summary>Where the worker's time went; null where not measured (tests).</summary>
    public WorkerCosts? Costs { get; init; }
    /// <summary>--bulk: whole calls' latencies.</summary>
    public LatencyRecorder? BulkCallLatency { get; init; }
}

/// <summary>
/// A worker's time (Stopwatch ticks) inside its module calls and in the --free-on other handoff, and the
/// time the module reported for alloc_pages()/__free_pages() alone (ns), for the cycle event.
/// </summary>
public sealed record WorkerCosts(long AllocCallTicks, long FreeCallTicks, long HandoffTicks, long AllocNs, long FreeNs, long BulkCalls)
{
    /// <summary>--free-on other: time spent waiting for the freer to catch up, beyond serving its own requests meanwhile.</summary>
    public long HandoffWaitTicks { get; init; }
}

/// <summary>How to turn workers into records: the order, the page size, when steady state began, the clock's rate.</summary>
public sealed record ResultSettings(int Order, long PageSize, long SteadyTimestamp, double TicksPerSecond, bool Latencies);

/// <summary>
/// The records and messages a run ends with, as a pure function of its workers: one worker event each,
/// the totals as metrics, the time-averaged held memory, and the latency samples and percentiles.
/// </summary>
public static class WorkerResults
{
    public static readonly (string Name, double Q)[] Percentiles =
        [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p99_9", 0.999), ("max", 1.0)];

    /// <summary>
    /// Blocks held on average, summed over the workers: from steady state to each worker's end (what
    /// the wrapped command saw held), and over each worker's whole run.
    /// </summary>
    public static (double SteadyToStop, double WholeRun) AverageHeldBlocks(IReadOnlyList<WorkerSummary> workers, long steadyTimestamp)
    {
        double afterSteady = 0, whole = 0;
        foreach (var w in workers)
        {
            whole += (w.HeldTicks.BeforeSteady + w.HeldTicks.AfterSteady) / Math.Max(1, w.EndTimestamp - w.StartTimestamp);
            if (steadyTimestamp != 0 && w.EndTimestamp > steadyTimestamp)
                afterSteady += w.HeldTicks.AfterSteady / (w.EndTimestamp - steadyTimestamp);
        }
        return (afterSteady, whole);
    }

    /// <param name="shared">What the workers recorded latencies into together (needed when s.Latencies).</param>
    public static (List<Record> Records, List<string> Messages) Of(IReadOnlyList<WorkerSummary> workers, ResultSettings s, OrderLatencies? shared = null)
    {
        var records = new List<Record>();
        var messages = new List<string>();
        int order = s.Order;
        long blockBytes = s.PageSize << order;
        long start = workers.Min(w => w.StartTimestamp), end = workers.Max(w => w.EndTimestamp);
        double runS = (end - start) / s.TicksPerSecond;
        var (heldAfter, heldWhole) = AverageHeldBlocks(workers, s.SteadyTimestamp);
        double heldAvg = s.SteadyTimestamp != 0 ? heldAfter : heldWhole;

        foreach (var w in workers)
        {
            double seconds = (w.EndTimestamp - w.StartTimestamp) / s.TicksPerSecond;
            records.Add(AntagonistRecords.Event(order, "worker", $"CPU {w.Cpu} (node {w.Node})", w.Cpu, new()
            {
                ["allocs_count"] = w.Allocs,
                ["frees_count"] = w.Frees,
                ["failures_count"] = w.Failures,
                ["remote_count"] = w.Remote,
                ["run_time_s"] = seconds,
                ["alloc_rate_pages_per_s"] = seconds > 0 ? w.Allocs / seconds : 0,
                ["peak_held_blocks"] = w.PeakHeld,
                ["tid"] = w.Tid,
            }));
        }

        long allocs = workers.Sum(w => w.Allocs), failures = workers.Sum(w => w.Failures), remote = workers.Sum(w => w.Remote);
        records.Add(AntagonistRecords.Metric(order, Metrics.KernelPageAllocs, allocs, Units.Count,
            new() { ["run_time_s"] = runS, ["cpus_count"] = workers.Count }));
        records.Add(AntagonistRecords.Metric(order, Metrics.KernelAllocFailures, failures, Units.Count));
        records.Add(AntagonistRecords.Metric(order, Metrics.KernelPageAllocsRemote, remote, Units.Count,
            new() { ["numa_nodes_count"] = workers.Select(w => w.Node).Distinct().Count() }));
        records.Add(AntagonistRecords.Metric(order, Metrics.KernelPageFrees, workers.Sum(w => w.Frees), Units.Count));
        double rate = runS > 0 ? allocs / runS : 0;
        records.Add(AntagonistRecords.Metric(order, Metrics.KernelPageAllocRate, (long)Math.Round(rate), Units.PagesPerSecond, new()
        {
            ["run_time_s"] = runS,
            ["per_cpu_pages_per_s"] = rate / workers.Count,
            ["page_bytes"] = blockBytes,
        }));
        records.Add(AntagonistRecords.Metric(order, Metrics.KernelHeldBytes, (long)Math.Round(heldAvg * blockBytes), Units.Bytes, new()
        {
            ["window_steady_to_stop"] = s.SteadyTimestamp != 0 ? 1 : 0,
            ["whole_run_average_bytes"] = Math.Round(heldWhole * blockBytes),
            ["peak_sum_bytes"] = workers.Sum(w => (long)w.PeakHeld) * blockBytes,
        }));
        messages.Add(string.Create(CultureInfo.InvariantCulture,
            $"order {order}, {workers.Count} CPUs: {allocs} allocations in {runS:0.00} s ({rate / workers.Count:0} pages/s per CPU), {failures} failures, {remote} remote"));

        if (s.Latencies && shared != null) AddLatencies(workers, shared, order, records, messages);
        if (workers.All(w => w.Costs != null) && allocs > 0) AddCycle(workers, s, order, records, messages);
        return (records, messages);
    }

    /// <summary>
    /// The cycle event: per block allocated and freed, the time in module calls and in the handoff, and
    /// how much of it the allocator's own calls took; with --free-on other, the handoff's share of a cycle.
    /// </summary>
    private static void AddCycle(IReadOnlyList<WorkerSummary> workers, ResultSettings s, int order, List<Record> records, List<string> messages)
    {
        double nsPerTick = 1e9 / s.TicksPerSecond;
        long blocks = workers.Sum(w => w.Allocs);
        double calls = workers.Sum(w => (double)w.Costs!.AllocCallTicks + w.Costs.FreeCallTicks) * nsPerTick / blocks;
        double handoff = workers.Sum(w => (double)w.Costs!.HandoffTicks) * nsPerTick / blocks;
        double allocator = workers.Sum(w => (double)w.Costs!.AllocNs + w.Costs.FreeNs) / blocks;
        double cycle = calls + handoff;
        var details = new Dictionary<string, double>
        {
            ["cycle_ns_per_block"] = Math.Round(cycle, 1),
            ["module_calls_ns_per_block"] = Math.Round(calls, 1),
            ["allocator_ns_per_block"] = Math.Round(allocator, 1),
            ["handoff_ns_per_block"] = Math.Round(handoff, 1),
            ["handoff_share"] = cycle > 0 ? Math.Round(handoff / cycle, 5) : 0,
            ["handoff_wait_ns_per_block"] = Math.Round(workers.Sum(w => (double)w.Costs!.HandoffWaitTicks) * nsPerTick / blocks, 1),
            ["blocks_count"] = blocks,
        };
        long bulkCalls = workers.Sum(w => w.Costs!.BulkCalls);
        if (bulkCalls > 0) details["bulk_calls_count"] = bulkCalls;
        records.Add(AntagonistRecords.Event(order, "cycle", "time per block allocated and freed", null, details));
        if (handoff > 0)
            messages.Add(string.Create(CultureInfo.InvariantCulture,
                $"free-on other: the handoff took {handoff:0} ns of a {cycle:0} ns cycle per block ({100 * handoff / cycle:0.0} %), and waiting for the freer {details["handoff_wait_ns_per_block"]:0} ns"));
    }

    private static void AddLatencies(IReadOnlyList<WorkerSummary> workers, OrderLatencies shared, int order, List<Record> records, List<string> messages)
    {
        var allocAll = new LatencyHistogram();
        var freeAll = new LatencyHistogram();
        allocAll.Add(shared.AllocSlow);
        freeAll.Add(shared.FreeSlow);
        foreach (var w in workers)
        {
            w.AllocLatency.AddTo(allocAll);
            w.FreeLatency.AddTo(freeAll);
        }
        // One sample per kind for all CPUs (its memory does not grow with them), its details exact over every operation.
        foreach (var (metric, sample, hist) in new[]
                 {
                     (Metrics.KernelPageAllocLatenciesNs, shared.AllocSample, allocAll),
                     (Metrics.KernelPageFreeLatenciesNs, shared.FreeSample, freeAll),
                 })
        {
            records.Add(new Record
            {
                Type = RecordType.Samples, Metric = metric, Unit = Units.Nanoseconds,
                Values = sample.Sample.ToArray(), Population = sample.Seen, Details = PercentileDetails(hist),
                Order = order, Label = Antagonist.Label,
            });
        }
        var kinds = new List<(string, LatencyHistogram)> { ("alloc", allocAll), ("free", freeAll) };
        if (workers.All(w => w.BulkCallLatency != null) && workers.Count > 0)
        {
            var bulkAll = new LatencyHistogram();
            bulkAll.Add(shared.BulkCallSlow);
            foreach (var w in workers) w.BulkCallLatency!.AddTo(bulkAll);
            kinds.Add(("bulk_call", bulkAll));
        }
        foreach (var (kind, hist) in kinds)
        {
            var details = PercentileDetails(hist);
            foreach (var (name, q) in Percentiles)
                records.Add(AntagonistRecords.Metric(order, Metrics.KernelPageLatency(kind, name), hist.Percentile(q), Units.Nanoseconds, new()
                {
                    ["operations_count"] = hist.Count,
                    ["histogram_relative_precision"] = LatencyHistogram.RelativePrecision,
                }));
            messages.Add(string.Create(CultureInfo.InvariantCulture,
                $"{kind} latency over {hist.Count} operations: p50 {details["p50_ns"]} ns, p90 {details["p90_ns"]} ns, p99 {details["p99_ns"]} ns, p99.9 {details["p99_9_ns"]} ns, max {details["max_ns"]} ns"));
        }
    }

    private static Dictionary<string, double> PercentileDetails(LatencyHistogram h)
    {
        var d = new Dictionary<string, double>();
        foreach (var (name, q) in Percentiles) d[name + "_ns"] = h.Percentile(q);
        d["min_ns"] = h.Count == 0 ? 0 : h.Min;
        d["mean_ns"] = Math.Round(h.Mean, 1);
        d["operations_count"] = h.Count;
        d["histogram_relative_precision"] = LatencyHistogram.RelativePrecision;
        return d;
    }
}
