namespace Pab.Common;

/// <summary>What the module's info call says, its version string decoded.</summary>
public readonly record struct ModuleInfo(
    uint AbiVersion, uint MaxOrder, ulong FileOutstanding, ulong TotalOutstanding,
    ulong TotalOutstandingPages, string ModuleVersion);
