using System.Globalization;
using Pab.Report.Compare;

namespace Pab.Report.Export;

/// <summary>
/// Under compare's headline table: one paragraph per changed headline row naming the explanatory counters that
/// changed with it at its order and phase ("with it"), then the kernel's account compared, with its own
/// false-alarm count.
/// </summary>
public static class AccountCompareWriter
{
    public static void Write(Comparison cmp, TextWriter w, bool markdown, Ansi? colour)
    {
        if (cmp.AccountRows.Count == 0) return;
        string indent = markdown ? "" : "  ";
        var withIt = WithIt(cmp).ToList();
        if (withIt.Count > 0)
        {
            w.WriteLine();
            foreach (string line in withIt) w.WriteLine(indent + line + (markdown ? "\n" : ""));
        }
        w.WriteLine();
        string title = "The kernel's account: /proc/vmstat's headline counters over each phase, compared as above";
        w.WriteLine(markdown ? "### " + title + "\n" : title);
        var table = new Table(CompareWriter.Header);
        foreach (int c in new[] { 3, 4, 5, 8 }) table.RightAligned.Add(c);
        var cells = CompareWriter.Cells(cmp, cmp.AccountRows);
        foreach (var (row, _, _) in cells) table.Add(row);
        int verdictColumn = Array.IndexOf(CompareWriter.Header, "verdict");
        if (markdown) table.WriteMarkdown(w);
        else table.WriteText(w, "", colour, (r, c) => c == verdictColumn && !cells[r].Baseline ? CompareWriter.Colour(cells[r].Verdict) : null);
        w.WriteLine();
        string alpha = cmp.Alpha.ToString(CultureInfo.InvariantCulture);
        w.WriteLine(indent + $"Each run's delta of a counter over the phase is one sample (0 where it did not move). {cmp.AccountTested} explanatory comparison(s) tested at α = {alpha}, apart from the headline rows: " +
            $"about {(cmp.AccountTested * cmp.Alpha).ToString("0.#", CultureInfo.InvariantCulture)} would be called changed by chance alone; {cmp.AccountCalled} were.");
    }

    /// <summary>"order 4 antagonized_available_bytes −1.6 % (worse), nothp against base; with it: compact_stall +12 %, …".</summary>
    public static IEnumerable<string> WithIt(Comparison cmp)
    {
        foreach (var row in cmp.Rows)
            for (int i = 1; i < row.Sides.Count; i++)
            {
                var side = row.Sides[i];
                if (side.Verdict is not (Verdict.Higher or Verdict.Lower) || side.Shift == null) continue;
                string phase = AccountComparison.PhaseOf(row.Key.Metric);
                var changed = AccountComparison.ChangedWith(cmp, row, i)
                    .Select(x => $"{x.Row.Key.Metric[(phase.Length + 1)..].Replace("vmstat_", "", StringComparison.Ordinal)} {Change(x.Side.Shift!)}")
                    .ToList();
                string order = row.Key.Order is int o ? $"order-{o} " : "";
                string better = Preferred.Judge(row.Key.Metric, side.Verdict) is { } b ? $" ({b})" : "";
                yield return $"{side.Name}: {order}{row.Key.Metric} {Change(side.Shift)}{better}; with it ({phase} phase): " +
                    (changed.Count > 0 ? string.Join(", ", changed) : "no headline counter of the kernel's account changed") + ".";
            }
    }

    private static string Change(ShiftEstimate s) =>
        s.Scale == ChangeScale.Ratio ? CompareWriter.Percent(s.Change) : (s.Change > 0 ? "+" : "") + s.Change.ToString("0.##", CultureInfo.InvariantCulture);
}
