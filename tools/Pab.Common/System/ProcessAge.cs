using System.Globalization;

namespace Pab.Common;

/// <summary>
/// How long ago this process was started (exec), from the kernel's own clock: meta records carry it,
/// so a run's records show what each tool's start-up cost (bench/run-cost.sh adds them up).
/// </summary>
public static class ProcessAge
{
    /// <summary>Seconds since this process started, or null when /proc cannot tell.</summary>
    public static double? Seconds(string procRoot = "/proc")
    {
        try
        {
            return Parse(File.ReadAllText($"{procRoot}/self/stat"), File.ReadAllText($"{procRoot}/uptime"), ClockTicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Field 22 (starttime, in clock ticks since boot) of a stat line against /proc/uptime.</summary>
    public static double? Parse(string stat, string uptime, long ticksPerSecond)
    {
        string[] fields = ProcStat.FieldsAfterName(stat);
        // starttime is field 22.
        if (fields.Length < 20 || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long start)) return null;
        string up = uptime.Split(' ')[0];
        if (!double.TryParse(up, NumberStyles.Float, CultureInfo.InvariantCulture, out double now)) return null;
        return Math.Max(0, Math.Round(now - (double)start / ticksPerSecond, 3));
    }

    // USER_HZ: 100 on every Linux architecture .NET runs on.
    private const long ClockTicksPerSecond = 100;
}
