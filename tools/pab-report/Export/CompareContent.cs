using Pab.Report.Compare;
using Pab.Report.Merge;

namespace Pab.Report.Export;

/// <summary>What every output of compare is written from: the comparison, and each side's merged data (for its pictures).</summary>
public sealed record CompareContent(Comparison Comparison, IReadOnlyList<MergedData> Sides);
