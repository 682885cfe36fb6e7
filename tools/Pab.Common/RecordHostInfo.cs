using System.Globalization;

namespace Pab.Common;

public sealed partial class HostInfo
{
    /// <summary>Name of the module's directory under /sys/module (its version file is read when loaded).</summary>
    public const string ModuleName = "page_alloc_bench";

    /// <summary>Reads what makes a result reproducible from this machine; anything unreadable stays null rather than failing the tool.</summary>
    public static HostInfo Collect(string procRoot = "/proc", string sysRoot = "/sys")
    {
        var host = new HostInfo
        {
            KernelRelease = ReadTrimmed(Path.Combine(procRoot, "sys/kernel/osrelease")),
            KernelCmdline = ReadTrimmed(Path.Combine(procRoot, "cmdline")),
            ModuleVersion = ReadTrimmed(Path.Combine(sysRoot, "module", ModuleName, "version")),
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
        if (ReadTrimmed(Path.Combine(sysRoot, "devices/system/cpu/online")) is { } online && CountList(online) is int n && n > 0)
            host.Cpus = n;

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

    // "0-3,8,10-11" → 7; null when the text is not a CPU list.
    private static int? CountList(string list)
    {
        int count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = part.Split('-');
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int lo)) return null;
            int hi = lo;
            if (range.Length == 2 && !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out hi)) return null;
            if (range.Length > 2 || hi < lo) return null;
            count += hi - lo + 1;
        }
        return count;
    }
}
