namespace Pab.Report.Compare;

/// <summary>How a change is measured: as a ratio (positive quantities, on the log scale) or as a difference.</summary>
public enum ChangeScale { Ratio, Difference }
