using Pab.Report.Merge;

namespace Pab.Report.Compare;

public sealed record ComparisonRow(GroupKey Key, string Unit, string How, IReadOnlyList<SideResult> Sides);
