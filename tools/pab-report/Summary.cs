using System.Globalization;
using MathNet.Numerics.Statistics;
using Pab.Common;

namespace Pab.Report;

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

/// <summary>Numbers with their unit, the way a kernel developer reads them.</summary>
public static class UnitFormat
{
    public static string Format(double value, string unit)
    {
        if (double.IsNaN(value)) return "-";
        return unit switch
        {
            Units.Bytes => ByteSize.Format(value),
            Units.Nanoseconds => Duration(value),
            _ => Plain(value) + (unit == Units.Count ? "" : " " + unit),
        };
    }

    public static string Duration(double ns)
    {
        double a = Math.Abs(ns);
        if (a == 0) return "0 ns";
        if (a < 1000) return Three(ns) + " ns";
        if (a < 1e6) return Three(ns / 1e3) + " µs";
        if (a < 1e9) return Three(ns / 1e6) + " ms";
        return Three(ns / 1e9) + " s";
    }

    public static string Plain(double v) =>
        Math.Abs(v - Math.Round(v)) < 1e-9 || Math.Abs(v) >= 1000
            ? Math.Round(v).ToString("0", CultureInfo.InvariantCulture)
            : v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Three(double v)
    {
        double a = Math.Abs(v);
        string f = a >= 100 ? "0" : a >= 10 ? "0.0" : "0.00";
        return v.ToString(f, CultureInfo.InvariantCulture);
    }

    public static string Percent(double ratio) =>
        double.IsNaN(ratio) || double.IsInfinity(ratio) ? "-" : (ratio >= 0 ? "+" : "") + (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
