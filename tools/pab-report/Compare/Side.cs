using Pab.Report.Input;

namespace Pab.Report.Compare;

/// <summary>One side of a comparison: a name and the files of its runs.</summary>
public sealed record Side(string Name, IReadOnlyList<InputSource> Sources)
{
    /// <summary>
    /// Parses <c>[NAME=]PATH[,PATH…]</c>: files separated by commas (a directory stands for its *.jsonl and *.json files, gzip-compressed or not),
    /// named NAME or else after the first path.
    /// </summary>
    private static readonly string[] Patterns = ["*.jsonl", "*.json", "*.jsonl.gz", "*.json.gz"];

    public static Side Parse(string arg, out string? error)
    {
        error = null;
        string name = "", list = arg;
        int eq = arg.IndexOf('=');
        if (eq > 0 && !File.Exists(arg)) { name = arg[..eq]; list = arg[(eq + 1)..]; }
        var sources = new List<InputSource>();
        foreach (string path in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Directory.Exists(path))
            {
                var files = Patterns.SelectMany(p => Directory.GetFiles(path, p)).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) { error = $"'{path}' holds no *.jsonl or *.json file (nor *.jsonl.gz, *.json.gz)"; break; }
                sources.AddRange(files.Select(InputSource.FromArgument));
            }
            else if (path == "-" || File.Exists(path)) sources.Add(InputSource.FromArgument(path));
            else { error = $"'{path}' does not exist"; break; }
        }
        if (error == null && sources.Count == 0) error = $"'{arg}' names no file";
        if (name.Length == 0) name = sources.Count > 0 ? Path.GetFileNameWithoutExtension(sources[0].Name.EndsWith(".gz", StringComparison.Ordinal) ? sources[0].Name[..^3] : sources[0].Name) + (sources.Count > 1 ? $"+{sources.Count - 1}" : "") : arg;
        return new Side(name, sources);
    }
}
