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
    /// <summary>A value with its unit in human scale, to three significant digits (or <paramref name="digits"/>).</summary>
    public static string Format(double value, string unit, int digits = 3)
    {
        if (double.IsNaN(value)) return "-";
        return unit switch
        {
            Units.Bytes => digits == 3 ? ByteSize.Format(value) : Scaled(value, 1024, ["B", "KiB", "MiB", "GiB", "TiB"], digits),
            Units.Nanoseconds => Duration(value, digits),
            RunSummaries.PerSecond => Plain(value, digits) + " /s",
            Units.PagesPerSecond => Plain(value, digits) + " pages/s",
            _ => Plain(value, digits) + (unit == Units.Count ? "" : " " + unit),
        };
    }

    public static string Duration(double ns, int digits = 3)
    {
        double a = Math.Abs(ns);
        if (a == 0) return "0 ns";
        if (a < 1000) return Significant(ns, digits) + " ns";
        if (a < 1e6) return Significant(ns / 1e3, digits) + " µs";
        if (a < 1e9) return Significant(ns / 1e6, digits) + " ms";
        return Significant(ns / 1e9, digits) + " s";
    }

    private static string Scaled(double v, double step, string[] units, int digits)
    {
        int i = 0;
        while (Math.Abs(v) >= step && i < units.Length - 1) { v /= step; i++; }
        return (i == 0 ? Math.Round(v).ToString("0", CultureInfo.InvariantCulture) : Significant(v, digits)) + " " + units[i];
    }

    public static string Plain(double v, int digits = 3) =>
        Math.Abs(v - Math.Round(v)) < 1e-9 || Math.Abs(v) >= Math.Pow(10, digits)
            ? Math.Round(v).ToString("0", CultureInfo.InvariantCulture)
            : digits == 3 ? v.ToString("0.##", CultureInfo.InvariantCulture) : Significant(v, digits);

    // At least the integer part, and decimals up to the significant digits asked for (three: 1.23, 12.3, 123).
    private static string Significant(double v, int digits)
    {
        double a = Math.Abs(v);
        int whole = a < 1 ? 1 : (int)Math.Floor(Math.Log10(a)) + 1;
        int decimals = Math.Max(0, digits - whole);
        return v.ToString("0." + new string('0', decimals), CultureInfo.InvariantCulture).TrimEnd('.');
    }

    public static string Percent(double ratio) =>
        double.IsNaN(ratio) || double.IsInfinity(ratio) ? "-" : (ratio >= 0 ? "+" : "") + (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
