using Pab.Common;

namespace Pab.Tests.Common;

public sealed class HostInfoTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pab-host-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private void Put(string path, string text)
    {
        string full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    [Fact]
    public void CollectsFromProcAndSys()
    {
        Put("proc/sys/kernel/osrelease", "6.1.0-56-amd64\n");
        Put("proc/cmdline", "console=ttyS0 mitigations=off\n");
        Put("proc/cpuinfo", "processor\t: 0\nmodel name\t: QEMU Virtual CPU version 2.5+\n\nprocessor\t: 1\nmodel name\t: QEMU Virtual CPU version 2.5+\n");
        Put("proc/meminfo", "MemTotal:        1014152 kB\nMemFree:          900000 kB\n");
        Put("sys/devices/system/cpu/online", "0-1,4\n");
        Directory.CreateDirectory(Path.Combine(_root, "sys/devices/system/node/node0"));
        Directory.CreateDirectory(Path.Combine(_root, "sys/devices/system/node/node1"));
        Directory.CreateDirectory(Path.Combine(_root, "sys/devices/system/node/power"));
        Put("sys/module/page_alloc_bench/version", "0.1.0\n");

        var h = HostInfo.Collect(Path.Combine(_root, "proc"), Path.Combine(_root, "sys"));
        Assert.Equal("6.1.0-56-amd64", h.KernelRelease);
        Assert.Equal("console=ttyS0 mitigations=off", h.KernelCmdline);
        Assert.Equal("QEMU Virtual CPU version 2.5+", h.CpuModel);
        Assert.Equal(3, h.Cpus); // the online mask wins over cpuinfo
        Assert.Equal(2, h.NumaNodes);
        Assert.Equal(1014152L * 1024, h.MemTotalBytes);
        Assert.Equal("0.1.0", h.ModuleVersion);
    }

    [Fact]
    public void MissingFilesLeaveNulls()
    {
        var h = HostInfo.Collect(Path.Combine(_root, "proc"), Path.Combine(_root, "sys"));
        Assert.Null(h.KernelRelease);
        Assert.Null(h.Cpus);
        Assert.Null(h.ModuleVersion);
    }

    [Fact]
    public void ThisMachine()
    {
        var h = HostInfo.Collect();
        Assert.False(string.IsNullOrEmpty(h.KernelRelease));
        Assert.True(h.Cpus >= 1);
        Assert.True(h.MemTotalBytes > 0);
    }
}
