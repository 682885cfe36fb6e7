using Pab.Common;

namespace Pab.Report.Input;

/// <summary>How the original tool's JSON names metrics, and the units names imply: only pab-report reads and writes that form.</summary>
public static class MetricNames
{
    /// <summary>The unit a metric has when its records do not say: from the name's suffix, as the original named them.</summary>
    public static string UnitOf(string metric) =>
        metric.EndsWith("_bytes", StringComparison.Ordinal) ? Units.Bytes
        : metric.EndsWith("_ns", StringComparison.Ordinal) ? Units.Nanoseconds
        : Units.Count;

    /// <summary>Splits the original's <c>name_order$n</c> into name and order; names without the suffix come back unchanged.</summary>
    public static (string Name, int? Order) SplitOrder(string key)
    {
        int i = key.LastIndexOf("_order", StringComparison.Ordinal);
        if (i > 0 && i + 6 < key.Length && int.TryParse(key.AsSpan(i + 6), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int order))
            return (key[..i], order);
        return (key, null);
    }

    /// <summary>The original's JSON key: the name, with <c>_order$n</c> when the metric has an order.</summary>
    public static string OriginalKey(string metric, int? order) =>
        order is int o ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{metric}_order{o}") : metric;
}
