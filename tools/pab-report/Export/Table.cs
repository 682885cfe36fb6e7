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

    /// <summary>Aligned text; <paramref name="style"/> (row, column → colour code) paints cells after padding, so colour never shifts a column.</summary>
    public void WriteText(TextWriter w, string indent = "", Ansi? colour = null, Func<int, int, string?>? style = null)
    {
        int[] width = new int[Header.Length];
        foreach (var row in _rows.Prepend(Header))
            for (int i = 0; i < row.Length; i++) width[i] = Math.Max(width[i], row[i].Length);
        int r = -1;
        foreach (var row in _rows.Prepend(Header))
        {
            var sb = new StringBuilder(indent);
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0) sb.Append("  ");
                string cell = RightAligned.Contains(i) ? row[i].PadLeft(width[i]) : row[i].PadRight(width[i]);
                if (r >= 0 && colour != null && style?.Invoke(r, i) is { } code)
                {
                    // Paint the text, not the padding, so the line's trailing spaces can still be trimmed.
                    string text = cell.Trim(' ');
                    int at = cell.IndexOf(text, StringComparison.Ordinal);
                    cell = cell[..at] + colour.Paint(text, code) + cell[(at + text.Length)..];
                }
                sb.Append(cell);
            }
            r++;
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
