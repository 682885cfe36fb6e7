using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>What every output of the report is written from: the merged data and the warnings about it.</summary>
public sealed record ReportContent(MergedData Data, IReadOnlyList<Warning> Warnings);
