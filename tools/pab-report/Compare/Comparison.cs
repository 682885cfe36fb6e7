using Pab.Report.Merge;

namespace Pab.Report.Compare;

/// <summary>
/// Compares each row (metric, order) of any number of sides against the first, the baseline, over runs: each run
/// is one sample (RunSummaries), and the change is the Hodges–Lehmann estimate with its exact Mann–Whitney interval
/// (ShiftEstimate). A verdict is given only where the data can carry one.
/// </summary>
public sealed class Comparison
{
    public double Alpha { get; init; } = 0.05;
    /// <summary>Changes smaller than this (a fraction of the baseline on the ratio scale) are not called changes.</summary>
    public double MinChange { get; init; }

    public List<ComparisonRow> Rows { get; } = [];
    public List<string> SideNames { get; } = [];
    /// <summary>One line per side: its files, runs and machine.</summary>
    public List<string> SideInfo { get; } = [];
    /// <summary>The side's summaries per row, kept for pictures.</summary>
    public List<Dictionary<GroupKey, RowRuns>> PerSide { get; } = [];

    /// <summary>Rows where a verdict was possible, and how many of them were called changed.</summary>
    public int Tested => Rows.Sum(r => r.Sides.Skip(1).Count(s => s.Verdict is Verdict.Higher or Verdict.Lower or Verdict.NoChangeDetected));
    public int Called => Rows.Sum(r => r.Sides.Skip(1).Count(s => s.Verdict is Verdict.Higher or Verdict.Lower));

    /// <summary>The kernel's account compared (AccountComparison): explanatory rows, tested apart from the headline rows.</summary>
    public List<ComparisonRow> AccountRows { get; } = [];
    public int AccountTested => AccountRows.Sum(r => r.Sides.Skip(1).Count(s => s.Verdict is Verdict.Higher or Verdict.Lower or Verdict.NoChangeDetected));
    public int AccountCalled => AccountRows.Sum(r => r.Sides.Skip(1).Count(s => s.Verdict is Verdict.Higher or Verdict.Lower));

    public static Comparison Run(IReadOnlyList<MergedData> sides, IReadOnlyList<string> names, double alpha, double minChange)
    {
        var cmp = new Comparison { Alpha = alpha, MinChange = minChange };
        cmp.SideNames.AddRange(names);
        cmp.PerSide.AddRange(sides.Select(RunSummaries.Of));
        var keys = cmp.PerSide.SelectMany(p => p.Keys).Distinct().Order().ToList();
        foreach (var key in keys)
        {
            var rows = cmp.PerSide.Select(p => p.GetValueOrDefault(key)).ToList();
            var first = rows.First(r => r != null)!;
            var baseRow = rows[0];
            var results = new List<SideResult> { new(names[0], baseRow, null, baseRow == null ? Verdict.Missing : Verdict.Baseline, double.NaN, double.NaN) };
            for (int i = 1; i < rows.Count; i++)
                results.Add(cmp.Judge(names[i], baseRow, rows[i]));
            cmp.Rows.Add(new ComparisonRow(key, first.Unit, first.How, results));
        }
        cmp.AccountRows.AddRange(AccountComparison.Rows(cmp, sides, names));
        return cmp;
    }

    public SideResult Judge(string name, RowRuns? baseline, RowRuns? other)
    {
        if (baseline == null || other == null || baseline.Unit != other.Unit)
            return new SideResult(name, other, null, Verdict.Missing, double.NaN, double.NaN);
        if (baseline.Runs.Count == 1 || other.Runs.Count == 1)
        {
            // Within one run the values share one boot: their spread is not the spread between boots.
            double b = baseline.Pooled(), o = other.Pooled();
            double change = RunSummaries.DifferenceMetrics.Contains(other.Key.Metric) ? o - b : b != 0 ? (o - b) / Math.Abs(b) : double.NaN;
            return new SideResult(name, other, null, Verdict.OneRun, double.NaN, change);
        }
        var shift = ShiftEstimate.Of(baseline.Values, other.Values, Alpha, !RunSummaries.DifferenceMetrics.Contains(other.Key.Metric));
        if (shift == null)
            return new SideResult(name, other, null, Verdict.TooFewRuns, double.NaN, double.NaN);
        double detectable = ShiftEstimate.Detectable(baseline.Values, other.Values, shift.Scale, Alpha);
        bool tooSmall = shift.Scale == ChangeScale.Ratio && Math.Abs(shift.Change) < MinChange;
        var verdict = shift.Direction == 0 || tooSmall ? Verdict.NoChangeDetected : shift.Direction > 0 ? Verdict.Higher : Verdict.Lower;
        return new SideResult(name, other, shift, verdict, detectable, double.NaN);
    }
}
