using Pab.Report.Merge;

namespace Pab.Report.Compare;

/// <summary>One run's summary of one compared row, with the values it was made from.</summary>
public sealed record RunValue(RunInfo Run, double Value, double[] Within);
