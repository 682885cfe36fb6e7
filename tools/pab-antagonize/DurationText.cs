using System.Globalization;

namespace Pab.Antagonize;

/// <summary>Durations as written on command lines: 90, 90s, 500ms, 2m, 1.5h (a bare number is seconds).</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration, out string? error)
    {
        duration = default;
        error = null;
        string s = text.Trim();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        string unit = s[end..];
        double scale = unit switch
        {
            "" or "s" => 1,
            "ms" => 1e-3,
            "m" or "min" => 60,
            "h" => 3600,
            _ => double.NaN,
        };
        if (end == 0 || double.IsNaN(scale) ||
            !double.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            error = $"'{text}' is not a duration (examples: 30, 30s, 500ms, 2m, 1h)";
            return false;
        }
        double seconds = number * scale;
        if (seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            error = $"'{text}' must be more than zero and less than forever";
            return false;
        }
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
