using System.Diagnostics;
using Pab.Common.Kernel;

namespace Pab.Exhaust;

/// <summary>
/// The kernel's account of one fill: /proc/vmstat before and after it, and the free lists nearest its
/// peak (<see cref="PeakSampler"/>), as details of the fill's record. Disabled (--no-kernel-account),
/// it reads and holds nothing: no files open, no buffers.
/// </summary>
public sealed class FillAccount(bool enabled = true) : IDisposable
{
    private static readonly long PageSize = Environment.SystemPageSize;
    private readonly PeakSampler? _peak = enabled ? new() : null;
    private Dictionary<string, long>? _before;

    /// <summary>Before the child is told to go (may allocate).</summary>
    public void Begin()
    {
        if (_peak == null) return;
        _before = VmStat.Read();
        _peak.Start();
    }

    /// <summary>While the child fills: allocation-free.</summary>
    public void Sample() => _peak?.Sample();

    /// <summary>After the child is dead: vmstat_{counter} per counter that moved, and peak_* from the last sample before the OOM kill; null when disabled.</summary>
    public Dictionary<string, double>? End()
    {
        if (_peak == null) return null;
        long end = Stopwatch.GetTimestamp();
        var details = new Dictionary<string, double>(StringComparer.Ordinal);
        if (_before != null && VmStat.Read() is { } after)
            foreach (var (counter, delta) in VmStat.Deltas(_before, after))
                details[AccountMetrics.VmStatPrefix + counter] = delta;
        if (_peak.Peak(end) is var (lists, age))
        {
            details["peak_free_bytes"] = lists.TotalBytes(PageSize);
            foreach (var (k, v) in lists.Details(PageSize, "peak_free_"))
                if (k.EndsWith("_bytes", StringComparison.Ordinal)) details[k] = v;
            details["peak_age_s"] = Math.Round(age, 3);
        }
        _before = null;
        return details;
    }

    public void Dispose() => _peak?.Dispose();
}
