using System.Globalization;
using System.Text.Json.Serialization;

namespace Pab.Common;

/// <summary>Meta: the machine a run measured. <see cref="Collect"/> fills it from /proc and /sys.</summary>
public sealed class HostInfo
{
    [JsonPropertyName("kernel_release")] public string? KernelRelease { get; set; }
    [JsonPropertyName("kernel_cmdline")] public string? KernelCmdline { get; set; }
    [JsonPropertyName("cpu_model")] public string? CpuModel { get; set; }
    [JsonPropertyName("cpus")] public int? Cpus { get; set; }
    [JsonPropertyName("numa_nodes")] public int? NumaNodes { get; set; }
    [JsonPropertyName("mem_total_bytes")] public long? MemTotalBytes { get; set; }
    [JsonPropertyName("module_version")] public string? ModuleVersion { get; set; }
    /// <summary>The ABI the loaded module speaks: its info call's version, or <see cref="OriginalModuleAbi"/>; set by the tools that drive it.</summary>
    [JsonPropertyName("module_abi")] public string? ModuleAbi { get; set; }

    /// <summary><see cref="ModuleAbi"/> of the original benchmark's module, which has no info call.</summary>
    public const string OriginalModuleAbi = "original";

    /// <summary>Reads what makes a result reproducible from this machine; anything unreadable stays null rather than failing the tool.</summary>
    public static HostInfo Collect(string procRoot = "/proc", string sysRoot = "/sys")
    {
        var host = new HostInfo
        {
            KernelRelease = ReadTrimmed(Path.Combine(procRoot, "sys/kernel/osrelease")),
            KernelCmdline = ReadTrimmed(Path.Combine(procRoot, "cmdline")),
            ModuleVersion = ReadTrimmed(Path.Combine(sysRoot, "module", Abi.ModuleName, "version")),
        };

        string? cpuinfo = ReadTrimmed(Path.Combine(procRoot, "cpuinfo"));
        if (cpuinfo != null)
        {
            int processors = 0;
            foreach (string line in cpuinfo.Split('\n'))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string key = line[..colon].Trim();
                if (key == "processor") processors++;
                else if (host.CpuModel == null && key is "model name" or "cpu model" or "Hardware")
                    host.CpuModel = line[(colon + 1)..].Trim();
            }
            if (processors > 0) host.Cpus = processors;
        }
        // The online mask is the truth when CPUs were taken offline or cpuinfo is unusual.
        if (ReadTrimmed(Path.Combine(sysRoot, "devices/system/cpu/online")) is { } online
            && CpuList.TryParse(online, out int[] onlineCpus, out _) && onlineCpus.Length > 0)
            host.Cpus = onlineCpus.Length;

        string nodes = Path.Combine(sysRoot, "devices/system/node");
        if (Directory.Exists(nodes))
            host.NumaNodes = Directory.GetDirectories(nodes, "node*")
                .Count(d => int.TryParse(Path.GetFileName(d).AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out _));

        if (ReadTrimmed(Path.Combine(procRoot, "meminfo")) is { } meminfo)
            foreach (string line in meminfo.Split('\n'))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
                        host.MemTotalBytes = parts.Length >= 3 && parts[2] == "kB" ? kib * 1024 : kib;
                }
        return host;
    }

    private static string? ReadTrimmed(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
