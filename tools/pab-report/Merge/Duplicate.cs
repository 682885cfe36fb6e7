namespace Pab.Report.Merge;

/// <summary>Records of <paramref name="File"/> that repeat, unchanged, records already read from <paramref name="FirstIn"/>.</summary>
public sealed record Duplicate(string File, string FirstIn, int Records);
