namespace Pab.Report.Merge;

// The keys are classes, not structs: the collections and LINQ operators over them then run the shared
// code ReadyToRun compiled for reference types, where a struct key makes the JIT compile each one at start.

/// <summary>What merges: two records with the same key from different runs measured the same thing.</summary>
public sealed record SeriesKey(string Metric, int? Order, string? Label, int? Iteration)
{
    public GroupKey Group => new(Metric, Order, Label);
}
