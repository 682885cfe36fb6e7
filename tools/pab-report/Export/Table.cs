using System.Text;

namespace Pab.Report.Export;

/// <summary>Rows of cells, printed aligned for a terminal or as a Markdown table.</summary>
public sealed class Table(params string[] header)
{
    private readonly List<string[]> _rows = [];
    public string[] Header { get; } = header;
    /// <summary>Columns aligned right (numbers).</summary>
    public HashSet<int> RightAligned { get; } = [];

    public void Add(params string[] cells) => _rows.Add(cells);
    public int Count => _rows.Count;

    public void WriteText(TextWriter w, string indent = "")
    {
        int[] width = new int[Header.Length];
        foreach (var row in _rows.Prepend(Header))
            for (int i = 0; i < row.Length; i++) width[i] = Math.Max(width[i], row[i].Length);
        foreach (var row in _rows.Prepend(Header))
        {
            var sb = new StringBuilder(indent);
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append(RightAligned.Contains(i) ? row[i].PadLeft(width[i]) : row[i].PadRight(width[i]));
            }
            w.WriteLine(sb.ToString().TrimEnd());
        }
    }

    public void WriteMarkdown(TextWriter w)
    {
        w.WriteLine("| " + string.Join(" | ", Header.Select(Escape)) + " |");
        w.WriteLine("|" + string.Join("|", Header.Select((_, i) => RightAligned.Contains(i) ? "---:" : "---")) + "|");
        foreach (var row in _rows)
            w.WriteLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
    }

    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}
