namespace Pab.Report.Merge;

/// <summary>What to do when one run recorded the same measurement twice (a rerun that completes it under its run id).</summary>
public enum KeepPolicy
{
    /// <summary>The later record replaces the earlier one.</summary>
    Latest,
    /// <summary>Both are kept.</summary>
    All,
}
