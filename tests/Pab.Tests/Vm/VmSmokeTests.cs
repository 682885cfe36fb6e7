namespace Pab.Tests.Vm;

[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class VmSmokeTests
{
    [VmFact]
    public void CommandStdoutStderrStatusAndDmesgComeBackSeparately()
    {
        var r = VmHarness.RunScript("""
            echo smoke-out-1
            echo smoke-err >&2
            printf 'smoke-out-2\nno-cr\n'
            exit 3
            """);

        Assert.True(r.ExitCode == 3, r.ToString());
        // Exactly the command's bytes: no console noise, no \r from the tty.
        Assert.Equal("smoke-out-1\nsmoke-out-2\nno-cr\n", r.Stdout);
        Assert.Contains("smoke-err\n", r.Stderr);
        Assert.DoesNotContain("smoke-out", r.Stderr);
        Assert.Contains("Linux version ", r.Dmesg);
        Assert.Contains("Command line:", r.Dmesg);
        Assert.Contains("PAB-GUEST-DONE rc=3", r.ConsoleLog);
    }

    [VmFact]
    public void ModuleAndToolsAreInTheGuest()
    {
        var r = VmHarness.RunScript($"""
            set -e
            insmod {VmHarness.ModulePath}
            test -e /proc/page_alloc_bench
            rmmod page_alloc_bench
            pab-load --help >/dev/null
            grep -c ^processor /proc/cpuinfo
            """);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("2\n", r.Stdout);
        Assert.Contains("page_alloc_bench", r.Dmesg);
    }

    [VmFact]
    public void NumaGuestHasTwoNodesAndAddedFilesArrive()
    {
        using var dir = new TempDir("pab-vm-add-");
        var file = Path.Combine(dir.Path, "payload.txt");
        File.WriteAllText(file, "payload-42\n");
        var r = VmHarness.Run(new VmOptions { Numa = true, NoKmod = true, AddFiles = [file] },
            "sh", "-c", "cat payload.txt; ls -d /sys/devices/system/node/node* | wc -l");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("payload-42\n2\n", r.Stdout);
    }
}
