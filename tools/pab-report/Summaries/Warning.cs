using Pab.Report.Merge;

namespace Pab.Report.Summaries;

/// <summary>A warning about what the data can carry, with what to do about it.</summary>
public sealed record Warning(GroupKey? Key, string Message, string? Run = null)
{
    public string Place => (Key?.ToString() ?? "") + (Run != null ? $" (run {Run})" : "");

    public override string ToString() => Place.Length > 0 ? $"{Place.TrimStart()}: {Message}" : Message;

    /// <summary>Warnings that say the same thing in several places, said once with the places listed.</summary>
    public static IEnumerable<string> Grouped(IEnumerable<Warning> warnings) =>
        warnings.GroupBy(w => w.Message).Select(g =>
        {
            if (g.Count() == 1) return g.First().ToString();
            var places = g.GroupBy(w => w.Key).Select(k =>
                (k.Key?.ToString() ?? "") + (k.Count() > 1 ? $" (in {k.Count()} runs)" : k.First().Run != null ? $" (run {k.First().Run})" : "")).ToList();
            const int Shown = 8;
            string list = string.Join("; ", places.Take(Shown)) + (places.Count > Shown ? $"; and {places.Count - Shown} more" : "");
            return $"{g.Key}: {list}";
        });
}
