using System.Globalization;
using MathNet.Numerics.Statistics;
using Pab.Common;

namespace Pab.Report.Summaries;

/// <summary>
/// Numbers with their unit, the way a kernel developer reads them: binary units for bytes, ns/µs/ms/s for times,
/// three significant digits, more where the values' noise is finer than that, and thousands separated by commas
/// in every report a person reads (the machine exports, JSON and CSV, keep plain integers).
/// </summary>
public static class UnitFormat
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    private static readonly string[] TimeUnits = ["ns", "µs", "ms", "s"];
    private const int MaxDecimals = 6;
    /// <summary>The unit of a count turned into a rate per second of the run (compare's rows).</summary>
    public const string PerSecond = "per_s";

    /// <summary>A value with its unit in human scale, to three significant digits (or <paramref name="digits"/>).</summary>
    public static string Format(double value, string unit, int digits = 3) => Format(value, unit, digits, double.NaN);

    /// <summary>
    /// As <see cref="Format(double, string, int)"/>, with decimals enough that values further apart than
    /// <paramref name="noise"/> read differently (NaN or 0: no extra decimals).
    /// </summary>
    public static string Format(double value, string unit, double noise) => Format(value, unit, 3, noise);

    private static string Format(double value, string unit, int digits, double noise)
    {
        if (double.IsNaN(value)) return "-";
        return unit switch
        {
            Units.Bytes => Scaled(value, 1024, ByteUnits, digits, noise, integerBase: true),
            Units.Nanoseconds => Duration(value, digits, noise),
            PerSecond => Plain(value, digits, noise) + " /s",
            Units.PagesPerSecond => Plain(value, digits, noise) + " pages/s",
            // A share reads as a percentage: 1,000,000 ppm is 100 %.
            Units.PartsPerMillion => Plain(value / 1e4, digits, noise / 1e4) + " %",
            _ => Plain(value, digits, noise) + (unit == Units.Count ? "" : " " + unit),
        };
    }

    public static string Duration(double ns, int digits = 3, double noise = double.NaN)
    {
        if (ns == 0) return "0 ns";
        // Seconds are the last unit: 1,234 s rather than a unit nobody uses.
        return Scaled(ns, 1000, TimeUnits, digits, noise, integerBase: false);
    }

    private static string Scaled(double v, double step, string[] units, int digits, double noise, bool integerBase)
    {
        int i = 0;
        double scale = 1;
        while (Math.Abs(v) >= step * scale && i < units.Length - 1) { scale *= step; i++; }
        double x = v / scale;
        // Bytes are whole; a mean of nanoseconds may not be.
        int decimals = i == 0 && integerBase ? 0 : Math.Max(SignificantDecimals(x, digits), NoiseDecimals(noise / scale));
        return Number(x, decimals) + " " + units[i];
    }

    /// <summary>A plain number: integers whole, others to <paramref name="digits"/> significant digits, or finer than the noise.</summary>
    public static string Plain(double v, int digits = 3, double noise = double.NaN)
    {
        if (Math.Abs(v - Math.Round(v)) < 1e-9) return Number(Math.Round(v), 0);
        int decimals = Math.Max(Math.Abs(v) >= Math.Pow(10, digits) ? 0 : SignificantDecimals(v, digits), NoiseDecimals(noise));
        // Three digits without a noise: up to two decimals, trailing zeros dropped (12.5, 0.25).
        if (digits == 3 && double.IsNaN(noise))
            return Math.Abs(v) >= 1000 ? Number(Math.Round(v), 0) : v.ToString("#,0.##", CultureInfo.InvariantCulture);
        return Number(v, decimals);
    }

    // At least the integer part, and decimals up to the significant digits asked for (three: 1.23, 12.3, 123).
    private static int SignificantDecimals(double v, int digits)
    {
        double a = Math.Abs(v);
        int whole = a < 1 ? 1 : (int)Math.Floor(Math.Log10(a)) + 1;
        return Math.Max(0, digits - whole);
    }

    // Decimals that make the last digit no coarser than the noise: 0.03 → 2, 1.4 → 0.
    private static int NoiseDecimals(double noise) =>
        noise is > 0 && double.IsFinite(noise) ? Math.Clamp(-(int)Math.Floor(Math.Log10(noise)), 0, MaxDecimals) : 0;

    private static string Number(double v, int decimals) =>
        v.ToString("#,0" + (decimals > 0 ? "." + new string('0', decimals) : ""), CultureInfo.InvariantCulture);

    /// <summary>
    /// The spread that tells values apart: 1.4826 × MAD (robust to the outliers the report flags), or σ where
    /// most values are equal; NaN for fewer than two values or none that differ.
    /// </summary>
    public static double Noise(double[] values)
    {
        if (values.Length < 2) return double.NaN;
        double mad = Summary.MedianMad(values).Mad;
        double noise = mad > 0 ? 1.4826 * mad : Statistics.StandardDeviation(values);
        return noise > 0 ? noise : double.NaN;
    }

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
