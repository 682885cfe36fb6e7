using Pab.Report.Input;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Commands;

/// <summary>What both commands say about their input before they write anything.</summary>
internal static class InputChecks
{
    /// <summary>Prints every problem; true when the command must fail.</summary>
    public static bool PrintProblems(MergedData data, bool skipBad, TextWriter stderr, string prefix)
    {
        const int Shown = 50;
        foreach (var p in data.Problems.Take(Shown)) stderr.WriteLine($"pab-report: {prefix}{p}");
        if (data.Problems.Count > Shown) stderr.WriteLine($"pab-report: {prefix}… and {UnitFormat.Count(data.Problems.Count - Shown)} more problem(s)");
        bool unreadable = data.Problems.Any(p => p.Severity == Severity.Error && p.Where.Line == 0);
        int bad = data.Problems.Count(p => p.Severity == Severity.Error && p.Where.Line > 0);
        if (unreadable)
        {
            stderr.WriteLine($"pab-report: {prefix}an input could not be read; nothing written");
            return true;
        }
        if (bad > 0 && !skipBad)
        {
            stderr.WriteLine($"pab-report: {prefix}{UnitFormat.Count(bad)} bad record(s); nothing written. Fix the input, or pass --skip-bad to report without them");
            return true;
        }
        return false;
    }

    /// <summary>True (said on stderr) when no record at all was read: an empty input is a mistake, not an empty report.</summary>
    public static bool NothingRead(MergedData data, TextWriter stderr, string prefix)
    {
        if (data.RecordsKept > 0) return false;
        stderr.WriteLine($"pab-report: {prefix}no records in the input{(data.RecordsRead > 0 ? " (every record was rejected)" : "")}; nothing to report, nothing written");
        return true;
    }
}
