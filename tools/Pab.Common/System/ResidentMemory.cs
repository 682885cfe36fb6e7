using System.Globalization;

namespace Pab.Common;

/// <summary>
/// What a process of ours holds, from /proc/PID/smaps_rollup: resident set, its proportional share
/// (file pages shared with our other processes, such as the one runtime folder's libraries, count
/// once across them) and its anonymous part. Written into records so our own footprint is known.
/// </summary>
public readonly record struct ResidentMemory(long RssBytes, long PssBytes, long AnonBytes)
{
    /// <summary>Reads /proc/<paramref name="pid"/>/smaps_rollup (Linux 4.14+); null when it cannot.</summary>
    public static ResidentMemory? Read(string pid = "self", string procRoot = "/proc")
    {
        string text;
        try { text = File.ReadAllText($"{procRoot}/{pid}/smaps_rollup"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return Parse(text);
    }

    /// <summary>Rss, Pss and Anonymous of a smaps_rollup text; null when Rss or Pss is missing.</summary>
    public static ResidentMemory? Parse(string text)
    {
        long? rss = null, pss = null, anon = null;
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            string key = line[..colon];
            if (key is not ("Rss" or "Pss" or "Anonymous")) continue;
            string[] parts = line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 1 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb)) continue;
            switch (key)
            {
                case "Rss": rss = kb * 1024; break;
                case "Pss": pss = kb * 1024; break;
                default: anon = kb * 1024; break;
            }
        }
        return rss is long r && pss is long p ? new ResidentMemory(r, p, anon ?? 0) : null;
    }

    /// <summary>This process's memory added to <paramref name="details"/> (nothing when unreadable); returns them.</summary>
    public static Dictionary<string, double> AddSelf(Dictionary<string, double> details, string prefix)
    {
        Read()?.AddTo(details, prefix);
        return details;
    }

    /// <summary>Adds <c>{prefix}rss_bytes</c>, <c>{prefix}pss_bytes</c> and <c>{prefix}anon_bytes</c> to a record's details.</summary>
    public void AddTo(Dictionary<string, double> details, string prefix)
    {
        details[prefix + "rss_bytes"] = RssBytes;
        details[prefix + "pss_bytes"] = PssBytes;
        details[prefix + "anon_bytes"] = AnonBytes;
    }
}
