namespace Pab.Common.Kernel;

/// <summary>
/// Names of the kernel's account of a phase (docs/record-format.md, "The kernel's account"): the phase
/// leads every name, as in idle_available_bytes, since pab-report keys phases by name.
/// </summary>
public static class AccountMetrics
{
    public const string VmStatPrefix = "vmstat_", TracePrefix = "trace_";

    /// <summary>A /proc/vmstat counter's delta over the phase: antagonized_vmstat_compact_stall.</summary>
    public static string VmStat(string label, string counter) => $"{label}_{VmStatPrefix}{counter}";

    /// <summary>An allocator event's count over the phase: antagonized_trace_mm_page_alloc_extfrag.</summary>
    public static string Trace(string label, string counter) => $"{label}_{TracePrefix}{counter}";

    /// <summary>Free memory at the phase's start or end (point "start" or "end"): idle_free_bytes_end.</summary>
    public static string FreeBytes(string label, string point) => $"{label}_free_bytes_{point}";

    /// <summary>Whether a metric is part of the kernel's account (not a headline metric), and its phase and name without it.</summary>
    public static bool TrySplit(string metric, out string label, out string name)
    {
        label = name = "";
        foreach (var infix in (ReadOnlySpan<string>)["_" + VmStatPrefix, "_" + TracePrefix, "_free_bytes_"])
        {
            int i = metric.IndexOf(infix, StringComparison.Ordinal);
            if (i <= 0) continue;
            label = metric[..i];
            name = metric[(i + 1)..];
            return true;
        }
        return false;
    }
}
