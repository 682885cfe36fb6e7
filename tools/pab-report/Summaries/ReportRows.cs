using Pab.Report.Input;
using Pab.Report.Merge;

namespace Pab.Report.Summaries;

public static class ReportRows
{
    /// <summary>The rows in report order (summaries are independent: two at a time).</summary>
    public static List<ReportRow> Of(MergedData data)
    {
        var groups = data.Groups();
        var rows = new ReportRow[groups.Count];
        // Not PLINQ: its operators over the groups are ~75 generic instantiations the JIT would compile at start.
        Workers.For(rows.Length, 2, i => rows[i] = Row(groups[i].Key, groups[i].Series));
        return new List<ReportRow>(rows);
    }

    public static ReportRow Row(GroupKey key, IReadOnlyList<Series> series)
    {
        bool samples = series.Any(s => s.IsSamples);
        double[] values = Summary.Values(series);
        // Latency samples are shown to three digits; iterations' values as finely as their spread needs.
        double noise = samples ? double.NaN : UnitFormat.Noise(values);
        bool oneValue = !samples && series.GroupBy(s => s.Owner).All(r => Series.ValueCountOf(r) == 1);
        int runs = series.Select(s => s.Owner).Distinct().Count();
        return new ReportRow(key, series[0].Unit, runs, Summary.Of(values), noise, oneValue);
    }
}
