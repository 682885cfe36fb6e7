using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>One probe call's outcome: the mode's name, what the module said, each attempt's latency, and the free blocks of the order just before (null: unreadable).</summary>
public sealed record ProbeOutcome(string Mode, int ProbeOrder, uint Attempts, uint Successes, ulong ElapsedNs, long[] LatenciesNs, long? FreeBlocksBefore);

/// <summary>
/// The records of the high-order probe at a phase's end, as a pure function of its outcomes: per mode the
/// success rate (ppm of attempts, with the counts in its details) and exact latency percentiles over the attempts, each
/// named with the phase first (idle_high_order_nocompact_success_rate) and carrying the antagonist's order.
/// </summary>
public static class ProbeRecords
{
    /// <summary>The probe's modes, as the module numbers them and the metric names say them.</summary>
    public static readonly (string Name, uint Mode)[] Modes = [("nocompact", Abi.ProbeNoCompact), ("compact", Abi.ProbeCompact)];

    /// <summary>The phase after the antagonist has freed everything (--probe-at-rest).</summary>
    public const string RestLabel = "rest";

    public static readonly (string Name, double Q)[] Percentiles = [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0)];

    /// <summary>The records of one outcome; sorts its latencies in place.</summary>
    public static List<Record> Of(string phase, int order, long pageSize, ProbeOutcome o)
    {
        var records = new List<Record>();
        long ppm = o.Attempts == 0 ? 0 : (long)Math.Round(1e6 * o.Successes / o.Attempts);
        var details = new Dictionary<string, double>
        {
            ["probe_order"] = o.ProbeOrder,
            ["block_bytes"] = pageSize << o.ProbeOrder,
            ["attempts_count"] = o.Attempts,
            ["successes_count"] = o.Successes,
            ["elapsed_s"] = o.ElapsedNs / 1e9,
        };
        if (o.FreeBlocksBefore is long free) details["free_blocks_before_count"] = free;
        records.Add(Metric(phase, order, Metrics.HighOrder(phase, o.Mode, Metrics.HighOrderSuccessRate), ppm, Units.PartsPerMillion, details));
        long[] sorted = o.LatenciesNs;
        Array.Sort(sorted);
        foreach (var (name, q) in Percentiles)
            if (sorted.Length > 0)
                records.Add(Metric(phase, order, Metrics.HighOrderLatency(phase, o.Mode, name), Rank(sorted, q), Units.Nanoseconds,
                    new() { ["probe_order"] = o.ProbeOrder, ["attempts_count"] = sorted.Length }));
        return records;
    }

    /// <summary>The nearest-rank percentile of sorted values: the smallest with at least q of them at or below it.</summary>
    public static long Rank(long[] sorted, double q)
    {
        int i = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(i, 0, sorted.Length - 1)];
    }

    /// <summary>One line for stderr: what each mode got.</summary>
    public static string Say(string phase, int order, ProbeOutcome o)
    {
        string free = o.FreeBlocksBefore is long f ? string.Create(CultureInfo.InvariantCulture, $" ({f} free before)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{phase} probe (antagonist order {order}): {o.Mode}: {o.Successes} of {o.Attempts} blocks of order {o.ProbeOrder}{free} in {o.ElapsedNs / 1e9:0.000} s");
    }

    private static Record Metric(string phase, int order, string name, long value, string unit, Dictionary<string, double> details) => new()
    {
        Type = RecordType.Metric, Metric = name, Value = value, Unit = unit, Details = details, Order = order, Label = phase,
    };
}
