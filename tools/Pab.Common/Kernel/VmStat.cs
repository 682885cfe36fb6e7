using System.Globalization;

namespace Pab.Common.Kernel;

/// <summary>/proc/vmstat: "name value" a line. Counters only grow; nr_* fields are states that rise and fall.</summary>
public static class VmStat
{
    public const string Path = "/proc/vmstat";

    /// <summary>Every field of the file's text; a line that is not "name number" is skipped.</summary>
    public static Dictionary<string, long> Parse(string text)
    {
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            int space = line.IndexOf(' ');
            if (space <= 0) continue;
            if (long.TryParse(line[(space + 1)..].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                fields[line[..space].ToString()] = v;
        }
        return fields;
    }

    /// <summary>The file now, or null where it cannot be read.</summary>
    public static Dictionary<string, long>? Read(string path = Path) =>
        ProcText.Read(path) is { } text ? Parse(text) : null;

    /// <summary>
    /// Whether a field is an event counter: not an nr_* state, nor workingset_nodes (a state without the prefix).
    /// </summary>
    public static bool IsCounter(string name) =>
        !name.StartsWith("nr_", StringComparison.Ordinal) && name != "workingset_nodes";

    /// <summary>The counters that moved between two reads, by how much (a counter that went back, as after a CPU went offline, is left out).</summary>
    public static SortedDictionary<string, long> Deltas(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
    {
        var moved = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, v) in after)
            if (IsCounter(name) && before.TryGetValue(name, out long b) && v > b)
                moved[name] = v - b;
        return moved;
    }
}
