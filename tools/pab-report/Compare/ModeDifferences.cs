using System.Globalization;
using Pab.Report.Merge;

namespace Pab.Report.Compare;

/// <summary>
/// The antagonist's allocation modes (pab-antagonize --gfp, --bulk, --free-on) on each side, per order, from
/// its meta records. A GFP mode takes other watermarks and paths, bulk another API, and freeing on another
/// CPU other locks: runs of different modes measure different things, so compare sets only runs of one mode
/// against each other unless told that the modes are the experiment (--across-modes).
/// </summary>
public static class ModeDifferences
{
    /// <summary>One line per order whose modes differ between or within sides; empty when every run of an order ran one mode.</summary>
    public static List<string> Describe(IReadOnlyList<string> names, IReadOnlyList<MergedData> data)
    {
        var lines = new List<string>();
        var modes = data.Select(Modes).ToList();
        foreach (int order in modes.SelectMany(m => m.Keys).Distinct().Order())
        {
            var each = modes.Select(m => m.TryGetValue(order, out var s) ? s : []).ToList();
            var all = each.SelectMany(s => s).Distinct(StringComparer.Ordinal).ToList();
            if (all.Count < 2) continue;
            var parts = new List<string>();
            for (int i = 0; i < names.Count; i++)
                if (each[i].Count > 0) parts.Add($"{names[i]} {string.Join(" and ", each[i].Order(StringComparer.Ordinal))}");
            lines.Add($"order {order.ToString(CultureInfo.InvariantCulture)}: the antagonist ran in different modes ({string.Join("; ", parts)})");
        }
        return lines;
    }

    /// <summary>A run's mode as its meta record says it; absent options are the defaults (records from before the modes).</summary>
    public static string ModeOf(IReadOnlyDictionary<string, string> options) =>
        $"--gfp {options.GetValueOrDefault("gfp", "kernel")} --free-on {options.GetValueOrDefault("free_on", "same")}" +
        (options.TryGetValue("bulk", out string? bulk) ? $" --bulk {bulk}" : "");

    private static Dictionary<int, HashSet<string>> Modes(MergedData data)
    {
        var byOrder = new Dictionary<int, HashSet<string>>();
        foreach (var meta in data.Runs.SelectMany(r => r.Meta))
        {
            if (meta.Tool != "pab-antagonize" || meta.Order is not int order || meta.Options is not { } o) continue;
            if (!byOrder.TryGetValue(order, out var set)) byOrder[order] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(ModeOf(o));
        }
        return byOrder;
    }
}
