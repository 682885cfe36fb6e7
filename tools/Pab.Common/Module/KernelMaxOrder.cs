namespace Pab.Common;

/// <summary>
/// The highest order alloc_pages() takes, read from the kernel where the module cannot say (the original
/// has no info call): /proc/buddyinfo has one free-block count per order on every line.
/// </summary>
public static class KernelMaxOrder
{
    /// <summary>The highest order, or null when buddyinfo is missing or unreadable.</summary>
    public static int? Read(string procRoot = "/proc")
    {
        string text;
        try { text = File.ReadAllText(Path.Combine(procRoot, "buddyinfo")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return Parse(text);
    }

    /// <summary>Lines are "Node 0, zone   Normal   c0 c1 … cN": N is the highest order.</summary>
    public static int? Parse(string buddyinfo)
    {
        int? orders = null;
        foreach (string line in buddyinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            int zone = Array.IndexOf(f, "zone");
            if (zone < 0 || zone + 2 >= f.Length) continue;
            int counts = f.Length - zone - 2;
            if (!f.Skip(zone + 2).All(c => c.All(char.IsAsciiDigit))) continue;
            orders = Math.Max(orders ?? 0, counts);
        }
        return orders - 1;
    }
}
