namespace Pab.Report.Merge;

/// <summary>Within one run, later records of a measurement replaced earlier ones (a rerun completing the run).</summary>
public sealed record Replacement(SeriesKey Key, string Run, string ReplacedIn, string ByIn, int Records, long Values);
