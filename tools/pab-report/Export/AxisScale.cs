using Pab.Common;

namespace Pab.Report.Export;

/// <summary>A human unit for an axis: values are divided by Factor and the axis says Label.</summary>
internal sealed record AxisScale(double Factor, string Label)
{
    /// <summary>The unit for values of about <paramref name="magnitude"/> in the records' <paramref name="unit"/>.</summary>
    public static AxisScale For(string unit, double magnitude)
    {
        double m = double.IsFinite(magnitude) ? Math.Abs(magnitude) : 0;
        switch (unit)
        {
            case Units.Bytes:
                if (m >= 1L << 30) return new(1L << 30, "GiB");
                if (m >= 1L << 20) return new(1L << 20, "MiB");
                if (m >= 1L << 10) return new(1L << 10, "KiB");
                return new(1, "bytes");
            case Units.Nanoseconds:
                if (m >= 1e9) return new(1e9, "s");
                if (m >= 1e6) return new(1e6, "ms");
                if (m >= 1e3) return new(1e3, "µs");
                return new(1, "ns");
            case Units.Count:
                if (m >= 1e9) return new(1e9, "billions");
                if (m >= 1e6) return new(1e6, "millions");
                if (m >= 1e4) return new(1e3, "thousands");
                return new(1, "count");
            case Units.PartsPerMillion:
                return new(1e4, "%");
            default:
                // "pages_per_s" reads "pages/s"; large values get an SI prefix.
                string name = unit.Replace("_per_", "/").Replace('_', ' ');
                if (m >= 1e9) return new(1e9, "G" + name);
                if (m >= 1e6) return new(1e6, "M" + name);
                if (m >= 1e4) return new(1e3, "k" + name);
                return new(1, name);
        }
    }

    /// <summary>"TITLE (LABEL)", as an axis title.</summary>
    public string Title(string title) => title + " (" + Label + ")";
}
