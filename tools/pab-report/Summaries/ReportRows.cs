using Pab.Report.Merge;

namespace Pab.Report.Summaries;

public static class ReportRows
{
    /// <summary>The rows in report order (summaries are independent: two at a time).</summary>
    public static List<ReportRow> Of(MergedData data)
    {
        return data.Groups().AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(g => Row(g.Key, g.Series)).ToList();
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
