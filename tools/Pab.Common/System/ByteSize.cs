using System.Globalization;

namespace Pab.Common;

/// <summary>Byte sizes as people write them on command lines (4096, 64K, 2MiB, 1.5G; binary multiples) and read them in reports.</summary>
public static class ByteSize
{
    private static readonly string[] Suffixes = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>Parses a size; returns false with a reason for anything else.</summary>
    public static bool TryParse(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        string s = text.Trim();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (end == 0 || !double.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            error = $"'{text}' is not a size (examples: 4096, 64K, 2MiB, 1.5G)";
            return false;
        }
        string unit = s[end..].Trim().ToUpperInvariant();
        int shift = unit switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0)
        {
            error = $"'{text}' has an unknown unit '{s[end..].Trim()}' (use B, K, M, G or T; multiples of 1024)";
            return false;
        }
        double value = Math.Round(number * (1L << shift));
        if (value > long.MaxValue)
        {
            error = $"'{text}' is too large";
            return false;
        }
        bytes = (long)value;
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out long bytes, out string? error) ? bytes : throw new FormatException(error);

    /// <summary>Formats with a binary unit and three significant digits: 512 B, 1.50 KiB, 12.3 MiB, 1.00 GiB.</summary>
    public static string Format(double bytes)
    {
        int i = 0;
        double v = bytes;
        while (Math.Abs(v) >= 1024 && i < Suffixes.Length - 1)
        {
            v /= 1024;
            i++;
        }
        if (i == 0) return string.Create(CultureInfo.InvariantCulture, $"{v:0} B");
        string format = Math.Abs(v) >= 100 ? "0" : Math.Abs(v) >= 10 ? "0.0" : "0.00";
        return v.ToString(format, CultureInfo.InvariantCulture) + " " + Suffixes[i];
    }
}
