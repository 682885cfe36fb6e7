using System.Globalization;
using Pab.Common;

namespace Pab.Report.Summaries;

/// <summary>A run's machine in one line, as the report and compare's side lines show it.</summary>
public static class HostText
{
    public static string Describe(HostInfo h)
    {
        var parts = new List<string>();
        if (h.KernelRelease != null) parts.Add("Linux " + h.KernelRelease);
        if (h.CpuModel != null || h.Cpus != null) parts.Add($"{h.Cpus?.ToString(CultureInfo.InvariantCulture) ?? "?"} × {h.CpuModel ?? "CPU"}");
        if (h.NumaNodes != null) parts.Add($"{h.NumaNodes} NUMA node(s)");
        if (h.MemTotalBytes is long m) parts.Add(ByteSize.Format(m) + " RAM");
        if (h.ModuleVersion != null) parts.Add("module " + h.ModuleVersion);
        if (h.KernelCmdline != null) parts.Add($"cmdline \"{h.KernelCmdline}\"");
        return string.Join(", ", parts);
    }
}
