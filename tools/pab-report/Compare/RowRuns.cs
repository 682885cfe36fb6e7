using MathNet.Numerics.Statistics;
using Pab.Report.Merge;

namespace Pab.Report.Compare;

/// <summary>A compared row of one side: every run's summary, in the row's unit, and how the runs were summarised.</summary>
public sealed record RowRuns(GroupKey Key, string Unit, string How, IReadOnlyList<RunValue> Runs, bool FromSample)
{
    /// <summary>The quantile that summarises a run's values: its percentile for a latency sample's row, else the median.</summary>
    public double Quantile { get; init; } = 0.5;

    public double[] Values => Runs.Select(r => r.Value).ToArray();

    /// <summary>The row's statistic over every run's values pooled: what one run a side can show.</summary>
    public double Pooled()
    {
        double[] all = Runs.SelectMany(r => r.Within).ToArray();
        return Quantile == 0.5 ? Statistics.Median(all) : Statistics.QuantileCustom(all, Quantile, QuantileDefinition.R8);
    }
}
