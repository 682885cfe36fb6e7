using Pab.Tests.Vm;
using Xunit.Abstractions;

namespace Pab.Tests.Fleet;

/// <summary>
/// The Ansible playbook end to end (fleet/test/e2e): two guests reached only on loopback ports
/// QEMU forwards to their sshd; one is down, its absence is reported and the other's records kept;
/// a --limit rerun fills it into the same run.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class FleetVmTests(ITestOutputHelper output)
{
    [VmFact]
    public void ADownHostIsReportedMissingAndALimitedRerunFillsItIn()
    {
        Exec.Result r;
        try { r = Exec.Run(RepoPaths.Of("fleet", "test", "e2e"), [], TimeSpan.FromMinutes(20), RepoPaths.Root); }
        catch (TimeoutException e) { throw new VmHarnessException(e.Message); }
        output.WriteLine(r.Output);
        Assert.True(r.Code == 0, $"fleet/test/e2e exited {r.Code}:\n{r.Output}");
        Assert.Contains("fleet e2e: ok", r.Stdout);
        Assert.Contains("missing: none", r.Stdout);
    }
}
