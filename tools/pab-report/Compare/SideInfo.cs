using System.Globalization;
using Pab.Common;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Compare;

/// <summary>One line per side: its files and runs, its machine, and how its kernel command line differs from the baseline's.</summary>
public static class SideInfo
{
    public static List<string> Describe(IReadOnlyList<Side> sides, IReadOnlyList<string> names, IReadOnlyList<MergedData> data)
    {
        var lines = new List<string>();
        var baseWords = CmdlineWords(data[0]);
        for (int i = 0; i < sides.Count; i++)
        {
            var hosts = data[i].Runs.Select(r => r.Meta.Select(m => m.Host).FirstOrDefault(h => h != null)).OfType<HostInfo>().ToList();
            var releases = hosts.Select(h => h.KernelRelease).OfType<string>().Distinct().ToList();
            string line = $"{names[i]}: {Plural(data[i].Runs.Count, "run")} from {Plural(sides[i].Sources.Count, "file")}";
            if (hosts.Count > 0)
            {
                var h = hosts[0];
                var shown = new HostInfo { Cpus = h.Cpus, CpuModel = h.CpuModel, NumaNodes = h.NumaNodes, MemTotalBytes = h.MemTotalBytes, ModuleVersion = h.ModuleVersion };
                line += $"; Linux {string.Join(", ", releases)}, {HostText.Describe(shown)}";
            }
            if (i > 0)
            {
                var words = CmdlineWords(data[i]);
                var diff = words.Except(baseWords).Select(w => "+" + w).Concat(baseWords.Except(words).Select(w => "-" + w)).ToList();
                line += diff.Count > 0 ? $"; command line {string.Join(" ", diff)}" : "; same command line";
            }
            lines.Add(line);
        }
        return lines;
    }

    // Every word any run's kernel command line has.
    private static HashSet<string> CmdlineWords(MergedData data) =>
        data.Runs.SelectMany(r => r.Meta).Select(m => m.Host?.KernelCmdline).OfType<string>()
            .SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);

    private static string Plural(int n, string what) => n.ToString(CultureInfo.InvariantCulture) + " " + what + (n == 1 ? "" : "s");
}
