using Pab.Common.Kernel;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Compare;

/// <summary>
/// The kernel's account compared as the headline rows are: per order, phase and headline counter, each run's
/// delta over the phase is one sample (0 in a run that measured the phase where the counter did not move),
/// with the same interval and verdict; its rows are tested, and their false alarms counted, apart.
/// </summary>
public static class AccountComparison
{
    public static List<ComparisonRow> Rows(Comparison cmp, IReadOnlyList<MergedData> sides, IReadOnlyList<string> names)
    {
        var accounts = sides.Select(KernelAccount.Of).ToList();
        // A counter that moved on any side is compared on every side that measured its phase: where it never moved, 0.
        var counters = accounts.SelectMany(a => a.Phases).GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => g.SelectMany(p => p.Value).SelectMany(r => r.Counters.Keys).Distinct().Where(KernelAccount.IsHeadline).ToList());
        var perSide = accounts.Select(a => Summaries(a, counters)).ToList();
        var keys = perSide.SelectMany(p => p.Keys).Distinct().Order().ToList();
        var rows = new List<ComparisonRow>();
        foreach (var key in keys)
        {
            var side = perSide.Select(p => p.GetValueOrDefault(key)).ToList();
            var baseRow = side[0];
            var results = new List<SideResult> { new(names[0], baseRow, null, baseRow == null ? Verdict.Missing : Verdict.Baseline, double.NaN, double.NaN) };
            for (int i = 1; i < side.Count; i++) results.Add(cmp.Judge(names[i], baseRow, side[i]));
            rows.Add(new ComparisonRow(key, Pab.Common.Units.Count, "the phase's delta in each run", results));
        }
        return rows;
    }

    /// <summary>One side's rows: every headline counter that moved in some run of the phase on any side, every run of the phase a sample.</summary>
    private static Dictionary<GroupKey, RowRuns> Summaries(KernelAccount account, Dictionary<(int, string), List<string>> counters)
    {
        var rows = new Dictionary<GroupKey, RowRuns>();
        foreach (var ((order, phase), runs) in account.Phases)
        {
            foreach (string counter in counters[(order, phase)])
            {
                var (name, cpus) = KernelAccount.SplitSweepPhase(phase);
                var key = new GroupKey($"{name}_{counter}", order < 0 ? null : order, null, cpus);
                var values = runs.Select(r => { double v = r.Counters.GetValueOrDefault(counter); return new RunValue(r.Run, v, [v]); }).ToList();
                rows[key] = new RowRuns(key, Pab.Common.Units.Count, "the phase's delta in each run", values, FromSample: false);
            }
        }
        return rows;
    }

    /// <summary>
    /// The explanatory rows called changed on side <paramref name="side"/> beside a headline row: the same order,
    /// the phase that explains the metric (the "with it" of compare's text and JSON).
    /// </summary>
    public static IEnumerable<(ComparisonRow Row, SideResult Side)> ChangedWith(Comparison cmp, ComparisonRow row, int side)
    {
        string phase = PhaseOf(row.Key.Metric);
        return cmp.AccountRows
            .Where(a => a.Key.Order == row.Key.Order && a.Key.Metric.StartsWith(phase + "_", StringComparison.Ordinal) && side < a.Sides.Count)
            .Select(a => (a, a.Sides[side]))
            .Where(x => x.Item2.Verdict is Verdict.Higher or Verdict.Lower && x.Item2.Shift != null);
    }

    /// <summary>The phase of the kernel's account that explains a headline metric: idle for idle_*, else antagonized.</summary>
    public static string PhaseOf(string metric) =>
        metric.StartsWith(KernelAccount.Idle + "_", StringComparison.Ordinal) ? KernelAccount.Idle : KernelAccount.Antagonized;
}
