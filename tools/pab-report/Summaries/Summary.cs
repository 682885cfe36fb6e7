using MathNet.Numerics.Statistics;
using Pab.Report.Merge;

namespace Pab.Report.Summaries;

/// <summary>Descriptive statistics of one report row (MathNet; quantiles by its R-8 estimator).</summary>
public sealed record Summary(long Count, double Mean, double StdDev, double Median, double P95, double Min, double Max)
{
    public static double[] Values(IEnumerable<Series> series)
    {
        var list = series.SelectMany(s => s.Items).ToList();
        var data = new double[list.Sum(c => c.Values.Count)];
        int offset = 0;
        foreach (var c in list)
        {
            c.Values.CopyTo(data, offset);
            offset += c.Values.Count;
        }
        return data;
    }

    public static Summary Of(IEnumerable<Series> series) => Of(Values(series));

    /// <summary>The median and the median absolute deviation from it.</summary>
    public static (double Median, double Mad) MedianMad(double[] values)
    {
        double median = Statistics.Median(values);
        return (median, values.Select(v => Math.Abs(v - median)).Median());
    }

    /// <summary>Summarises <paramref name="data"/>, which it reorders (quantiles by selection, not a full sort).</summary>
    public static Summary Of(double[] data)
    {
        if (data.Length == 0) return new Summary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var (mean, sd) = ArrayStatistics.MeanStandardDeviation(data);
        double min = ArrayStatistics.Minimum(data), max = ArrayStatistics.Maximum(data);
        double p95 = ArrayStatistics.QuantileInplace(data, 0.95);
        double median = ArrayStatistics.MedianInplace(data);
        return new Summary(data.Length, mean, data.Length > 1 ? sd : 0, median, p95, min, max);
    }
}
