using System.Globalization;
using Pab.Common;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Compare;

/// <summary>
/// Whether the sides' antagonists held alike. pab-antagonize derives its hold (--middle, --spread)
/// from the machine's shape unless given; sides whose holds differ put a different load on the
/// allocator, so compare says so, per order, with what each side held and why.
/// </summary>
public static class HoldDifferences
{
    public static List<string> Describe(IReadOnlyList<string> names, IReadOnlyList<MergedData> data)
    {
        var lines = new List<string>();
        var holds = data.Select(Holds).ToList();
        foreach (int order in holds.SelectMany(h => h.Keys).Distinct().Order())
        {
            var each = holds.Select(h => h.TryGetValue(order, out var s) ? s : []).ToList();
            if (each.Count(s => s.Count > 0) < 2 || each.Where(s => s.Count > 0).All(s => s.SetEquals(each.First(f => f.Count > 0)))) continue;
            var parts = new List<string>();
            for (int i = 0; i < names.Count; i++)
                if (each[i].Count > 0) parts.Add($"{names[i]} {string.Join(" or ", each[i].Order(StringComparer.Ordinal))}");
            lines.Add($"order {order.ToString(CultureInfo.InvariantCulture)}: the antagonist held differently ({string.Join("; ", parts)}), so the sides' allocators were not under the same load");
        }
        return lines;
    }

    // Each order's holds in one side's runs, as the meta records of pab-antagonize name them.
    private static Dictionary<int, HashSet<string>> Holds(MergedData data)
    {
        var byOrder = new Dictionary<int, HashSet<string>>();
        foreach (var meta in data.Runs.SelectMany(r => r.Meta))
        {
            if (meta.Tool != "pab-antagonize" || meta.Order is not int order || meta.Options is not { } o) continue;
            if (!o.TryGetValue("middle", out string? middle) || !o.TryGetValue("spread", out string? spread)) continue;
            string hold = $"--middle {middle} --spread {spread}";
            if (o.TryGetValue("hold_derived", out string? derived))
            {
                string cpus = o.TryGetValue("cpus", out string? list) && CpuList.TryParse(list, out int[] c, out _)
                    ? $"{c.Length.ToString(CultureInfo.InvariantCulture)} CPU{(c.Length == 1 ? "" : "s")}" : "its CPUs";
                string memory = o.TryGetValue("hold_machine_bytes", out string? bytes) && long.TryParse(bytes, NumberStyles.None, CultureInfo.InvariantCulture, out long b)
                    ? UnitFormat.Format(b, Units.Bytes) : "its memory";
                hold += $" ({derived.Replace(",", " and ", StringComparison.Ordinal)} derived from {cpus} and {memory})";
            }
            if (!byOrder.TryGetValue(order, out var set)) byOrder[order] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(hold);
        }
        return byOrder;
    }
}
