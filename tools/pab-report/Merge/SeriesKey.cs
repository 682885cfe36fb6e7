namespace Pab.Report.Merge;

/// <summary>What merges: two records with the same key from different runs measured the same thing.</summary>
public readonly record struct SeriesKey(string Metric, int? Order, string? Label, int? Iteration)
{
    public GroupKey Group => new(Metric, Order, Label);
}
