namespace Pab.Tests.Vm;

/// <summary>Tests that boot a QEMU guest: one at a time (the machine has 2 cores, each guest uses 2 vCPUs).</summary>
[CollectionDefinition("vm", DisableParallelization = true)]
public sealed class VmCollection;

/// <summary>
/// The trait every class of VM tests carries, so that `dotnet test --filter "Category=VM"` runs only
/// them and `--filter "Category!=VM"` everything else (VmTraitTests keeps the two in step).
/// </summary>
public static class VmTraits
{
    public const string Category = "Category";
    public const string Vm = "VM";
}
