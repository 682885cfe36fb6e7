using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Pab.Common.Kernel;

/// <summary>
/// Reads /proc/buddyinfo while a fill runs, without allocating (the parent may need no new page then):
/// files opened and buffers allocated before the fill, each sample read with pread into them. A sample
/// counts as the fill's peak state only when /proc/vmstat's oom_kill, read just after it, has not moved
/// since the fill began: the kernel counts the kill before it sends SIGKILL, so such a sample was taken
/// before the child's memory started coming back.
/// </summary>
public sealed unsafe partial class PeakSampler : IDisposable
{
    private readonly byte[] _sample = GC.AllocateArray<byte>(16 << 10, pinned: true);
    private readonly byte[] _peak = GC.AllocateArray<byte>(16 << 10, pinned: true);
    private readonly byte[] _vmstat = GC.AllocateArray<byte>(64 << 10, pinned: true);
    private readonly int _buddyFd, _vmstatFd;
    private long _oomAtStart = -1;
    private int _peakLength;
    private long _peakTicks;

    public PeakSampler(string buddyInfo = FreeLists.BuddyInfoPath, string vmstat = VmStat.Path)
    {
        _buddyFd = Native.open(buddyInfo, Native.O_CLOEXEC);
        _vmstatFd = Native.open(vmstat, Native.O_CLOEXEC);
    }

    public bool Available => _buddyFd >= 0 && _vmstatFd >= 0;

    /// <summary>Before the fill: the OOM kills so far, and no peak yet.</summary>
    public void Start()
    {
        _peakLength = 0;
        _oomAtStart = Available ? OomKills() : -1;
    }

    /// <summary>During the fill: one sample, kept as the peak when no OOM kill came before its end. Allocation-free.</summary>
    public void Sample()
    {
        if (!Available || _oomAtStart < 0) return;
        int n = ReadAll(_buddyFd, _sample);
        if (n <= 0 || OomKills() != _oomAtStart) return;
        _sample.AsSpan(0, n).CopyTo(_peak);
        _peakLength = n;
        _peakTicks = Stopwatch.GetTimestamp();
    }

    /// <summary>After the fill: the last sample taken before the OOM kill, and its age when the child was seen dead; null when none.</summary>
    public (FreeLists Lists, double AgeSeconds)? Peak(long endTicks)
    {
        if (_peakLength == 0) return null;
        var lists = FreeLists.ParseBuddyInfo(Encoding.ASCII.GetString(_peak, 0, _peakLength));
        return lists.Lists.Count == 0 ? null : (lists, Math.Max(0, (endTicks - _peakTicks) / (double)Stopwatch.Frequency));
    }

    /// <summary>oom_kill from the raw file, parsed in place; -1 when absent.</summary>
    private long OomKills()
    {
        int n = ReadAll(_vmstatFd, _vmstat);
        if (n <= 0) return -1;
        return RawField(_vmstat.AsSpan(0, n), "oom_kill "u8);
    }

    /// <summary>A field's value in raw vmstat text ("name value\n" lines), parsed without allocating; -1 when absent.</summary>
    public static long RawField(ReadOnlySpan<byte> text, ReadOnlySpan<byte> nameAndSpace)
    {
        int at = 0;
        while (at < text.Length)
        {
            var rest = text[at..];
            int eol = rest.IndexOf((byte)'\n');
            var line = eol < 0 ? rest : rest[..eol];
            if (line.StartsWith(nameAndSpace))
            {
                long v = 0;
                bool any = false;
                foreach (byte c in line[nameAndSpace.Length..])
                {
                    if (c < '0' || c > '9') break;
                    v = v * 10 + (c - '0');
                    any = true;
                }
                return any ? v : -1;
            }
            if (eol < 0) break;
            at += eol + 1;
        }
        return -1;
    }

    private static int ReadAll(int fd, byte[] buffer)
    {
        int total = 0;
        fixed (byte* p = buffer)
        {
            while (total < buffer.Length)
            {
                nint n = pread(fd, p + total, (nuint)(buffer.Length - total), total);
                if (n < 0 && Marshal.GetLastPInvokeError() == Native.EINTR) continue;
                if (n <= 0) break;
                total += (int)n;
            }
        }
        return total;
    }

    public void Dispose()
    {
        if (_buddyFd >= 0) Native.close(_buddyFd);
        if (_vmstatFd >= 0) Native.close(_vmstatFd);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint pread(int fd, byte* buf, nuint count, long offset);
}
