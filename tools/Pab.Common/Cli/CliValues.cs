using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Pab.Common.Cli;

/// <summary>
/// CustomParsers for option values, so a bad value is said in the user's words ("out of range (1 to
/// 1000000)", "not one of text, csv") naming the flag, never as a .NET type name.
/// </summary>
public static class CliValues
{
    /// <summary>The option's first alias (its name), or the argument's name in capitals.</summary>
    public static string NameOf(ArgumentResult r) =>
        r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name.ToUpperInvariant();

    private static string Text(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    /// <summary>A whole number from min to max (decimal, or hex after 0x).</summary>
    public static T Integer<T>(ArgumentResult r, T min, T max) where T : struct, IBinaryInteger<T> =>
        Integer(r, Text(r).Trim(), min, max, out _);

    private static T Integer<T>(ArgumentResult r, string text, T min, T max, out bool ok) where T : struct, IBinaryInteger<T>
    {
        ok = false;
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        var style = hex ? NumberStyles.AllowHexSpecifier : NumberStyles.AllowLeadingSign;
        string digits = hex ? text[2..] : text;
        string range = string.Create(CultureInfo.InvariantCulture, $"{min} to {max}");
        if (T.TryParse(digits, style, CultureInfo.InvariantCulture, out T v))
        {
            if (v < min || v > max) r.AddError($"{NameOf(r)} {text}: out of range ({range})");
            else ok = true;
            return v;
        }
        if (!hex && digits.Length > 0 && BigInteger.TryParse(digits, style, CultureInfo.InvariantCulture, out _))
            r.AddError($"{NameOf(r)} {text}: out of range ({range})");
        else
            r.AddError($"{NameOf(r)} '{text}': not a whole number");
        return default;
    }

    /// <summary>A comma-separated list of distinct whole numbers from min to max (0,4), in the order given.</summary>
    public static int[] IntegerList(ArgumentResult r, int min, int max)
    {
        string text = Text(r).Trim();
        var values = new List<int>();
        foreach (string part in text.Split(','))
        {
            int v = Integer(r, part.Trim(), min, max, out bool ok);
            if (!ok) return [];
            if (values.Contains(v))
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{NameOf(r)} {text}: {v} is given twice"));
                return [];
            }
            values.Add(v);
        }
        return [.. values];
    }

    /// <summary>A byte count of more than 0, with units (4096, 64K, 2MiB, 1.5G).</summary>
    public static long Size(ArgumentResult r)
    {
        if (!ByteSize.TryParse(Text(r), out long bytes, out string? error))
        {
            r.AddError($"{NameOf(r)}: {error}");
            return 0;
        }
        if (bytes <= 0) r.AddError($"{NameOf(r)}: must be more than 0 bytes");
        return bytes;
    }

    /// <summary>A finite number (1.5, 0.05, 1e-3) from min to max; strictly between them when open.</summary>
    public static double Number(ArgumentResult r, double min, double max, bool open = false)
    {
        string text = Text(r).Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
        {
            r.AddError($"{NameOf(r)} '{text}': not a number");
            return 0;
        }
        if (open ? v <= min || v >= max : v < min || v > max)
        {
            var c = CultureInfo.InvariantCulture;
            string range = open ? string.Create(c, $"more than {min} and less than {max}")
                : double.IsPositiveInfinity(max) ? string.Create(c, $"{min} or more") : string.Create(c, $"{min} to {max}");
            r.AddError($"{NameOf(r)} {text}: out of range ({range})");
        }
        return v;
    }

    /// <summary>One of an enum's names, case-insensitively; numbers are not names.</summary>
    public static T Choice<T>(ArgumentResult r) where T : struct, Enum
    {
        string text = Text(r).Trim();
        foreach (T value in Enum.GetValues<T>())
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
                return value;
        r.AddError($"{NameOf(r)} '{text}': not one of {string.Join(", ", NamesOf<T>())}");
        return default;
    }

    /// <summary>The lower-case names the user types, in the order of their values.</summary>
    public static string[] NamesOf<T>() where T : struct, Enum =>
        Array.ConvertAll(Enum.GetNames<T>(), n => n.ToLowerInvariant());

    /// <summary>Shows and completes an enum option by its lower-case names: &lt;text|jsonl|csv&gt;.</summary>
    public static void ShowChoices<T>(this Option option) where T : struct, Enum
    {
        string[] names = NamesOf<T>();
        option.HelpName = string.Join('|', names);
        option.CompletionSources.Clear();
        option.CompletionSources.Add(names);
    }

    /// <summary>A path that must not be a directory (an output file, a module file).</summary>
    public static string? NotDirectory(string option, string? path) =>
        path != null && Directory.Exists(path) ? $"{option} {path}: is a directory" : null;
}
