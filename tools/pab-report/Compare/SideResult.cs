using MathNet.Numerics.Statistics;

namespace Pab.Report.Compare;

/// <summary>One side of a compared row: its run summaries, and against the baseline the change and its verdict.</summary>
public sealed record SideResult(string Name, RowRuns? Row, ShiftEstimate? Shift, Verdict Verdict, double Detectable, double WithinRunChange)
{
    public int Runs => Row?.Runs.Count ?? 0;
    public double Median => Row is { } r ? Statistics.Median(r.Values) : double.NaN;
    public double Min => Row is { } r ? r.Values.Min() : double.NaN;
    public double Max => Row is { } r ? r.Values.Max() : double.NaN;
}
