namespace Pab.Report.Summaries;

/// <summary>One value of a series, with the iteration it was measured in.</summary>
public sealed record IterationValue(double Value, int? Iteration);
