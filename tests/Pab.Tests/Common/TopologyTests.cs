using Pab.Common;

namespace Pab.Tests.Common;

public sealed class TopologyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pab-sysfs").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private void Write(string relative, string content)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void ReadsOnlineCpusAndTheirNodes()
    {
        Write("devices/system/cpu/online", "0-3,6\n");
        Write("devices/system/node/online", "0-1\n");
        Write("devices/system/node/node0/cpulist", "0-1,6-7\n");
        Write("devices/system/node/node1/cpulist", "2-5\n");
        var t = Topology.Read(_root);
        Assert.Equal([0, 1, 2, 3, 6], t.OnlineCpus);
        Assert.Equal([0, 1], t.Nodes);
        Assert.True(t.HasNumaInfo);
        Assert.Equal(0, t.NodeOf(0));
        Assert.Equal(0, t.NodeOf(6));
        Assert.Equal(1, t.NodeOf(2));
        Assert.Equal(1, t.NodeOf(3));
        Assert.Equal([2, 3, 4, 5], t.CpusOf(1));
    }

    [Fact]
    public void MemoryOnlyNodeWithEmptyCpulistIsFine()
    {
        Write("devices/system/cpu/online", "0-1");
        Write("devices/system/node/online", "0,2");
        Write("devices/system/node/node0/cpulist", "0-1");
        Write("devices/system/node/node2/cpulist", "\n");
        var t = Topology.Read(_root);
        Assert.Equal([0, 2], t.Nodes);
        Assert.Empty(t.CpusOf(2));
        Assert.Equal(0, t.NodeOf(1));
    }

    [Fact]
    public void FallsBackToTheCpuNodeLink()
    {
        Write("devices/system/cpu/online", "0-1");
        Write("devices/system/node/online", "0-1");
        Write("devices/system/node/node0/cpulist", "0");
        Directory.CreateDirectory(Path.Combine(_root, "devices/system/cpu/cpu1/node1"));
        var t = Topology.Read(_root);
        Assert.Equal(1, t.NodeOf(1));
    }

    [Fact]
    public void WithoutNodeFolderEverythingIsNodeZero()
    {
        Write("devices/system/cpu/online", "0-7");
        var t = Topology.Read(_root);
        Assert.False(t.HasNumaInfo);
        Assert.Equal([0], t.Nodes);
        Assert.All(t.OnlineCpus, c => Assert.Equal(0, t.NodeOf(c)));
        Assert.Equal(8, t.OnlineCpus.Count);
    }

    [Fact]
    public void MalformedFileIsNamed()
    {
        Write("devices/system/cpu/online", "0-x");
        var e = Assert.Throws<InvalidDataException>(() => Topology.Read(_root));
        Assert.Contains(Path.Combine(_root, "devices/system/cpu/online"), e.Message);
    }

    [Fact]
    public void ThisMachineHasOnlineCpusEachOnAnOnlineNode()
    {
        var t = Topology.Read();
        Assert.NotEmpty(t.OnlineCpus);
        Assert.All(t.OnlineCpus, c => Assert.Contains(t.NodeOf(c), t.Nodes));
    }
}
