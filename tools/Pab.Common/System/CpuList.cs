using System.Globalization;
using System.Text;

namespace Pab.Common;

/// <summary>
/// CPU (or node) lists in the kernel's text format, as in /sys/devices/system/cpu/online and
/// taskset -c: comma-separated numbers and ranges ("0-3,8,10-11"), with the kernel's optional
/// stride form "a-b:used/group" ("0-7:2/4" is 0,1,4,5).
/// </summary>
public static class CpuList
{
    /// <summary>Highest CPU number accepted; the kernel's NR_CPUS limit is 8192.</summary>
    public const int MaxCpu = 8191;

    /// <summary>Parses a list into sorted distinct numbers; an empty or blank text is an empty list (sysfs writes that for a node without CPUs).</summary>
    public static bool TryParse(string text, out int[] cpus, out string? error)
    {
        cpus = [];
        error = null;
        var seen = new SortedSet<int>();
        string trimmed = text.Trim();
        if (trimmed.Length == 0) return true;
        foreach (string rawPart in trimmed.Split(','))
        {
            string part = rawPart.Trim();
            if (part.Length == 0)
            {
                error = $"'{text}' has an empty item between commas";
                return false;
            }
            int used = 1, group = 1;
            string range = part;
            int colon = part.IndexOf(':');
            if (colon >= 0)
            {
                range = part[..colon];
                string[] stride = part[(colon + 1)..].Split('/');
                if (stride.Length != 2 || !TryNumber(stride[0], out used) || !TryNumber(stride[1], out group)
                    || used < 1 || group < 1 || used > group)
                {
                    error = $"'{part}' has a bad stride (expected a-b:used/group with 1 <= used <= group)";
                    return false;
                }
            }
            int dash = range.IndexOf('-');
            int first, last;
            if (dash < 0)
            {
                if (!TryNumber(range, out first))
                {
                    error = $"'{part}' is not a CPU number or range (examples: 3, 0-3, 0-3,8,10-11)";
                    return false;
                }
                if (colon >= 0)
                {
                    error = $"'{part}': a stride needs a range (a-b:used/group)";
                    return false;
                }
                last = first;
            }
            else if (!TryNumber(range[..dash], out first) || !TryNumber(range[(dash + 1)..], out last))
            {
                error = $"'{part}' is not a CPU number or range (examples: 3, 0-3, 0-3,8,10-11)";
                return false;
            }
            if (last < first)
            {
                error = $"'{part}' is a descending range";
                return false;
            }
            if (last > MaxCpu)
            {
                error = $"'{part}' goes beyond CPU {MaxCpu}";
                return false;
            }
            for (int cpu = first; cpu <= last; cpu++)
                if ((cpu - first) % group < used) seen.Add(cpu);
        }
        cpus = [.. seen];
        return true;
    }

    public static int[] Parse(string text) =>
        TryParse(text, out int[] cpus, out string? error) ? cpus : throw new FormatException(error);

    private static bool TryNumber(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>Formats numbers the way the kernel does: sorted, ranges collapsed ("0-3,8,10-11").</summary>
    public static string Format(IEnumerable<int> cpus)
    {
        var sorted = new List<int>(cpus);
        sorted.Sort();
        var sb = new StringBuilder();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] <= sorted[j] + 1) j++; // duplicates too
            if (sb.Length > 0) sb.Append(',');
            sb.Append(sorted[i].ToString(CultureInfo.InvariantCulture));
            if (sorted[j] > sorted[i]) sb.Append('-').Append(sorted[j].ToString(CultureInfo.InvariantCulture));
            i = j + 1;
        }
        return sb.ToString();
    }
}
