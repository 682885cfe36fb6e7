using System.Globalization;
using System.Runtime.InteropServices;

namespace Pab.Common;

/// <summary>
/// Gives back the resident pages of our own executable's read-only mappings (madvise MADV_PAGEOUT,
/// Linux 5.4+). A native tool touches most of its code and data once while it starts; those pages
/// then stay mapped until memory pressure (the first fill) reclaims them, so a process measured before
/// a fill held a few MiB more than the same process after one. Pages still in use come back on the
/// next touch, one page at a time: the mappings are also marked MADV_RANDOM, or each fault would read
/// a whole window around it back in (512 KiB on the guests' 9p share, 128 KiB on most disks). Pages
/// other processes map too are left alone by the kernel.
/// </summary>
public static partial class ExecutablePages
{
    private const int MadvRandom = 1, MadvPageout = 21;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint addr, nuint length, int advice);

    /// <summary>Pages out the executable's read-only mappings; how many bytes of mappings were advised (0 when none could be).</summary>
    public static long Release()
    {
        string? exe = Environment.ProcessPath;
        if (exe == null) return 0;
        string[] lines;
        try { lines = File.ReadAllLines("/proc/self/maps"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        long advised = 0;
        foreach (string line in lines)
        {
            // start-end perms offset dev inode path
            var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || f[1].Contains('w') || f[5].Trim() != exe) continue;
            int dash = f[0].IndexOf('-');
            if (dash < 0
                || !long.TryParse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long start)
                || !long.TryParse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long end))
                continue;
            madvise((nint)start, (nuint)(end - start), MadvRandom);
            if (madvise((nint)start, (nuint)(end - start), MadvPageout) == 0) advised += end - start;
        }
        return advised;
    }
}
