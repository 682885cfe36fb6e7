namespace Pab.Tests.Vm;

/// <summary>Tests that boot a QEMU guest: one at a time (the machine has 2 cores, each guest uses 2 vCPUs).</summary>
[CollectionDefinition("vm", DisableParallelization = true)]
public sealed class VmCollection;
