using System.Globalization;
using Pab.Common;

namespace Pab.Report.Input;

/// <summary>
/// Values no measurement can have (a negative byte count or latency, an order no kernel has), refused as bad
/// records so that a broken writer is found where it wrote, not in a report's mean.
/// </summary>
public static class RecordChecks
{
    /// <summary>Highest allocation order accepted: 2^31 pages is 8 TiB of 4 KiB pages, beyond any kernel's MAX_PAGE_ORDER.</summary>
    public const int MaxOrder = 31;

    /// <summary>Throws <see cref="BadRecordException"/> naming the first impossible field of <paramref name="r"/>.</summary>
    public static void Check(Record r, ValueChunk? values)
    {
        if (r.Order is int o && o is < 0 or > MaxOrder)
            Fail($"\"order\" {o} is out of range (0 to {MaxOrder})");
        if (r.Iteration is < 0) Fail($"\"iteration\" {r.Iteration} is negative (iterations count from 0)");
        if (r.Cpu is < 0) Fail($"\"cpu\" {r.Cpu} is negative");
        if (r.AntagonistCpus is < 1) Fail($"\"antagonist_cpus\" {r.AntagonistCpus} is not a CPU count (1 or more)");
        if (r.Population is < 0) Fail($"\"population\" {r.Population} is negative");
        if (r.Details != null)
            foreach (var pair in r.Details)
            {
                string name = pair.Key;
                double v = pair.Value;
                if (!double.IsFinite(v)) Fail($"\"details\".\"{name}\" is not a finite number");
                if (v < 0 && (name.EndsWith("_ns", StringComparison.Ordinal) || name.EndsWith("_bytes", StringComparison.Ordinal)))
                    Fail($"\"details\".\"{name}\" is negative ({Text(v)})");
            }
        if (r.Host is { } h)
        {
            if (h.Cpus is < 1) Fail($"\"host\".\"cpus\" {h.Cpus} is not a positive count");
            if (h.NumaNodes is < 1) Fail($"\"host\".\"numa_nodes\" {h.NumaNodes} is not a positive count");
            if (h.MemTotalBytes is < 0) Fail($"\"host\".\"mem_total_bytes\" {h.MemTotalBytes} is negative");
        }
        if (values == null || r.Metric == null) return;
        string unit = r.Unit ?? MetricNames.UnitOf(r.Metric);
        for (int i = 0; i < values.Count; i++)
            if (Value(r.Metric, unit, values[i]) is { } why)
                Fail(r.Type == RecordType.Samples ? $"\"values\" item {i}: {why}" : $"\"value\": {why}");
    }

    /// <summary>Why <paramref name="v"/> cannot be a value of <paramref name="metric"/>, or null.</summary>
    public static string? Value(string metric, string unit, long v)
    {
        // A difference of two amounts may be negative; an amount, a count, a time or a rate may not.
        if (v >= 0 || metric == Metrics.MemoryAvailableDiffBytes) return null;
        return unit is Units.Bytes or Units.Nanoseconds or Units.Count or Units.PagesPerSecond or Units.PartsPerMillion
            ? $"{v.ToString(CultureInfo.InvariantCulture)} is negative, impossible for {metric} (in {unit})"
            : null;
    }

    private static string Text(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static void Fail(string message) => throw new BadRecordException(message);
}
