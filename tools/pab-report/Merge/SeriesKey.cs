namespace Pab.Report.Merge;

/// <summary>What merges: two records with the same key from different runs measured the same thing.</summary>
/// <remarks><paramref name="Cpus"/>: the antagonist's CPU count of a sweep (antagonist_cpus); null outside one.</remarks>
public readonly record struct SeriesKey(string Metric, int? Order, string? Label, int? Iteration, int? Cpus = null)
{
    public GroupKey Group => new(Metric, Order, Label, Cpus);
}
