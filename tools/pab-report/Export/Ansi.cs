namespace Pab.Report.Export;

/// <summary>
/// Colour on a terminal: verdicts and warnings stand out. Off when the stream is not a terminal, when NO_COLOR is
/// set to anything (https://no-color.org) or TERM is dumb; never in a file written by --export-*.
/// </summary>
public sealed class Ansi(bool enabled)
{
    public const string Yellow = "33", Red = "31", Bold = "1", Dim = "2", BoldYellow = "1;33";

    public static readonly Ansi Off = new(false);

    public bool Enabled { get; } = enabled;

    /// <summary>Colour for a stream that is (<paramref name="redirected"/> false) or is not a terminal.</summary>
    public static Ansi For(bool redirected) => new(!redirected && Wanted(Environment.GetEnvironmentVariable));

    public static bool Wanted(Func<string, string?> env) =>
        string.IsNullOrEmpty(env("NO_COLOR")) && env("TERM") != "dumb";

    public string Paint(string text, string? code) =>
        Enabled && code != null && text.Length > 0 ? $"\u001b[{code}m{text}\u001b[0m" : text;

    /// <summary>A message line with its "error:" or "warning:" painted.</summary>
    public string Label(string line)
    {
        if (!Enabled) return line;
        foreach (var (word, code) in new[] { (": error:", Red), (": warning:", Yellow) })
        {
            int i = line.IndexOf(word, StringComparison.Ordinal);
            if (i >= 0) return line[..(i + 2)] + Paint(word[2..^1], code) + line[(i + word.Length - 1)..];
        }
        return line;
    }
}
