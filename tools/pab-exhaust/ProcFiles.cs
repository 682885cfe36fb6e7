using System.Globalization;
using System.Runtime.InteropServices;
using Pab.Common;
using Pab.Common.Kernel;
using static Pab.Common.Native;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>Writes /proc/self/oom_score_adj without the managed file stack (the child calls it before anything else).</summary>
public static unsafe class OomScoreAdj
{
    /// <summary>Sets this process's oom_score_adj; returns 0 or the errno.</summary>
    public static int TrySet(int value, string path = "/proc/self/oom_score_adj")
    {
        int fd = Native.open(path, Native.O_WRONLY | Native.O_CLOEXEC);
        if (fd < 0) return Marshal.GetLastPInvokeError();
        Span<byte> text = stackalloc byte[16];
        value.TryFormat(text, out int n, provider: CultureInfo.InvariantCulture);
        int err = 0;
        fixed (byte* p = text)
            if (write(fd, p, (nuint)n) != n) err = Marshal.GetLastPInvokeError();
        Native.close(fd);
        return err;
    }
}

/// <summary>Small readers of /proc and cgroup files.</summary>
public static class ProcStatus
{
    /// <summary>The kernel's count of OOM kills so far (/proc/vmstat oom_kill, Linux 4.13+).</summary>
    public static long? ReadOomKills(string path = "/proc/vmstat")
    {
        var text = ProcText.Read(path);
        if (text == null) return null;
        foreach (var line in text.Split('\n'))
            if (line.StartsWith("oom_kill ", StringComparison.Ordinal) &&
                long.TryParse(line.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                return n;
        return null;
    }

    /// <summary>
    /// The file holding current usage of this process's memory cgroup, from
    /// /proc/self/cgroup text: v1 (…:memory:/path) or v2 (0::/path) under /sys/fs/cgroup.
    /// </summary>
    public static string? MemoryCgroupUsageFile(string? procSelfCgroup, string root = "/sys/fs/cgroup")
    {
        if (procSelfCgroup == null) return null;
        string? v2 = null;
        foreach (var line in procSelfCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[1].Split(',').Contains("memory"))
                return Path.Join(root, "memory", parts[2], "memory.usage_in_bytes");
            if (parts[0] == "0" && parts[1].Length == 0)
                v2 = Path.Join(root, parts[2], "memory.current");
        }
        return v2;
    }

    public static long? ReadCgroupUsageBytes()
    {
        var file = MemoryCgroupUsageFile(ProcText.Read("/proc/self/cgroup"));
        var text = file == null ? null : ProcText.Read(file);
        return text != null && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
    }
}
