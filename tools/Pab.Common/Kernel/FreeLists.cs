using System.Globalization;

namespace Pab.Common.Kernel;

/// <summary>Free blocks of one zone (and migratetype, from /proc/pagetypeinfo), per order 0, 1, 2 ….</summary>
public sealed record FreeList(int Node, string Zone, string? MigrateType, long[] Blocks);

/// <summary>Pageblocks of one zone by migratetype (pagetypeinfo's "Number of blocks type" table).</summary>
public sealed record PageblockCount(int Node, string Zone, string MigrateType, long Blocks);

/// <summary>
/// The buddy allocator's free lists as /proc/buddyinfo (per zone) and /proc/pagetypeinfo (per zone and
/// migratetype, root only) print them.
/// </summary>
public sealed record FreeLists(IReadOnlyList<FreeList> Lists, IReadOnlyList<PageblockCount> Pageblocks, int? PageblockOrder)
{
    public const string BuddyInfoPath = "/proc/buddyinfo", PageTypeInfoPath = "/proc/pagetypeinfo";

    /// <summary>Whether the lists are per migratetype (pagetypeinfo) or only per zone (buddyinfo).</summary>
    public bool ByMigrateType => Lists.Count > 0 && Lists[0].MigrateType != null;

    /// <summary>"Node 0, zone   Normal  35347  27553 …" lines.</summary>
    public static FreeLists ParseBuddyInfo(string text)
    {
        var lists = new List<FreeList>();
        foreach (var raw in text.Split('\n'))
            if (ParseZone(raw, out int node, out string zone, out string rest) && Numbers(rest) is { } blocks)
                lists.Add(new FreeList(node, zone, null, blocks));
        return new FreeLists(lists, [], null);
    }

    /// <summary>
    /// pagetypeinfo: "Page block order: 9", then "Node    0, zone   Normal, type    Movable  33127 …" lines, then
    /// the pageblocks table under "Number of blocks type     Unmovable      Movable …".
    /// </summary>
    public static FreeLists ParsePageTypeInfo(string text)
    {
        var lists = new List<FreeList>();
        var pageblocks = new List<PageblockCount>();
        int? pageblockOrder = null;
        string[]? blockTypes = null;
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("Page block order:", StringComparison.Ordinal))
            {
                if (int.TryParse(line.AsSpan(17).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int o)) pageblockOrder = o;
                continue;
            }
            if (line.StartsWith("Number of mixed", StringComparison.Ordinal)) { blockTypes = null; continue; } // page_owner's table
            if (line.StartsWith("Number of blocks type", StringComparison.Ordinal))
            {
                blockTypes = line[21..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                continue;
            }
            if (!ParseZone(line, out int node, out string zone, out string rest)) continue;
            if (rest.StartsWith(", type", StringComparison.Ordinal))
            {
                var parts = rest[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2 || Numbers(string.Join(' ', parts[1..])) is not { } blocks) continue;
                lists.Add(new FreeList(node, zone, parts[0], blocks));
            }
            else if (blockTypes != null && Numbers(rest) is { } counts)
                for (int i = 0; i < counts.Length && i < blockTypes.Length; i++)
                    pageblocks.Add(new PageblockCount(node, zone, blockTypes[i], counts[i]));
        }
        return new FreeLists(lists, pageblocks, pageblockOrder);
    }

    /// <summary>pagetypeinfo where it can be read (root), else buddyinfo; null when neither can.</summary>
    public static FreeLists? Read()
    {
        if (ProcText.Read(PageTypeInfoPath) is { } pti && ParsePageTypeInfo(pti) is { Lists.Count: > 0 } byType) return byType;
        return ProcText.Read(BuddyInfoPath) is { } bi && ParseBuddyInfo(bi) is { Lists.Count: > 0 } byZone ? byZone : null;
    }

    /// <summary>Free bytes in blocks of each order, over every zone and migratetype.</summary>
    public long[] BytesByOrder(long pageSize)
    {
        int orders = Lists.Count == 0 ? 0 : Lists.Max(l => l.Blocks.Length);
        var bytes = new long[orders];
        foreach (var l in Lists)
            for (int k = 0; k < l.Blocks.Length; k++)
                bytes[k] += l.Blocks[k] * (pageSize << k);
        return bytes;
    }

    public long TotalBytes(long pageSize) => BytesByOrder(pageSize).Sum();

    /// <summary>
    /// The lists as record details: o{k}_bytes per order; n{node}_{zone}_{type}_o{k}_blocks for every
    /// non-zero list entry (zone alone from buddyinfo); n{node}_{zone}_{type}_pageblocks; pageblock_order.
    /// </summary>
    public Dictionary<string, double> Details(long pageSize, string prefix = "")
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        var byOrder = BytesByOrder(pageSize);
        for (int k = 0; k < byOrder.Length; k++) d[$"{prefix}o{k}_bytes"] = byOrder[k];
        foreach (var l in Lists)
            for (int k = 0; k < l.Blocks.Length; k++)
                if (l.Blocks[k] != 0) d[$"{prefix}{ListName(l.Node, l.Zone, l.MigrateType)}_o{k}_blocks"] = l.Blocks[k];
        foreach (var p in Pageblocks)
            if (p.Blocks != 0) d[$"{prefix}{ListName(p.Node, p.Zone, p.MigrateType)}_pageblocks"] = p.Blocks;
        if (PageblockOrder is int po) d[$"{prefix}pageblock_order"] = po;
        return d;
    }

    /// <summary>n0_dma32_movable: lower case, as detail names are.</summary>
    public static string ListName(int node, string zone, string? type) =>
        string.Create(CultureInfo.InvariantCulture, $"n{node}_{zone.ToLowerInvariant()}") + (type == null ? "" : "_" + type.ToLowerInvariant());

    /// <summary>"Node 0, zone   Normal…": the node, the zone and what follows the zone's name.</summary>
    private static bool ParseZone(string line, out int node, out string zone, out string rest)
    {
        node = 0; zone = ""; rest = "";
        line = line.Trim();
        if (!line.StartsWith("Node", StringComparison.Ordinal)) return false;
        int comma = line.IndexOf(',');
        if (comma < 0 || !int.TryParse(line.AsSpan(4, comma - 4).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out node)) return false;
        var after = line[(comma + 1)..].TrimStart();
        if (!after.StartsWith("zone", StringComparison.Ordinal)) return false;
        after = after[4..].TrimStart();
        int end = 0;
        while (end < after.Length && after[end] != ' ' && after[end] != ',') end++;
        zone = after[..end];
        rest = after[end..].Trim();
        return zone.Length > 0;
    }

    private static long[]? Numbers(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return null;
        var n = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out n[i])) return null;
        return n;
    }
}
