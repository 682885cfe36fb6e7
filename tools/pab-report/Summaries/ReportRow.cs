using Pab.Report.Merge;

namespace Pab.Report.Summaries;

/// <summary>One row of the report: a metric at one order and label, summarised over every run's values.</summary>
public sealed record ReportRow(GroupKey Key, string Unit, int Runs, Summary Summary, double Noise, bool OneValue)
{
    /// <summary>A figure of this row in its unit, with the digits the row's noise calls for.</summary>
    public string Format(double v) => UnitFormat.Format(v, Unit, Noise);
}
