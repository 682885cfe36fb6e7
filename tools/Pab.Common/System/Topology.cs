using System.Globalization;

namespace Pab.Common;

/// <summary>
/// Online CPUs and NUMA nodes as sysfs shows them (/sys/devices/system/cpu and
/// /sys/devices/system/node). The sysfs root is a parameter so tests can hand a folder of the same shape.
/// </summary>
public sealed class Topology
{
    private readonly Dictionary<int, int> _nodeOfCpu;

    /// <summary>Online CPUs, ascending.</summary>
    public IReadOnlyList<int> OnlineCpus { get; }
    /// <summary>Online NUMA nodes, ascending; [0] on a kernel without NUMA.</summary>
    public IReadOnlyList<int> Nodes { get; }
    /// <summary>False when the kernel has no node folder (CONFIG_NUMA off): everything is node 0.</summary>
    public bool HasNumaInfo { get; }

    private Topology(int[] online, int[] nodes, Dictionary<int, int> nodeOfCpu, bool hasNuma)
    {
        OnlineCpus = online;
        Nodes = nodes;
        _nodeOfCpu = nodeOfCpu;
        HasNumaInfo = hasNuma;
    }

    /// <summary>The node a CPU belongs to; 0 for a CPU no node lists (the kernel's default node).</summary>
    public int NodeOf(int cpu) => _nodeOfCpu.TryGetValue(cpu, out int node) ? node : 0;

    /// <summary>CPUs (online or not) the sysfs node folder lists for a node.</summary>
    public IReadOnlyList<int> CpusOf(int node) =>
        [.. _nodeOfCpu.Where(kv => kv.Value == node).Select(kv => kv.Key).Order()];

    /// <summary>Reads the topology below <paramref name="sysRoot"/> (normally /sys). Throws <see cref="InvalidDataException"/> naming the file for malformed content.</summary>
    public static Topology Read(string sysRoot = "/sys")
    {
        string cpuDir = Path.Combine(sysRoot, "devices", "system", "cpu");
        string nodeDir = Path.Combine(sysRoot, "devices", "system", "node");

        string onlinePath = Path.Combine(cpuDir, "online");
        int[] online = File.Exists(onlinePath)
            ? ReadList(onlinePath)
            : [.. Enumerable.Range(0, Environment.ProcessorCount)];

        var nodeOfCpu = new Dictionary<int, int>();
        string nodeOnline = Path.Combine(nodeDir, "online");
        if (!File.Exists(nodeOnline))
        {
            foreach (int cpu in online) nodeOfCpu[cpu] = 0;
            return new Topology(online, [0], nodeOfCpu, hasNuma: false);
        }

        int[] nodes = ReadList(nodeOnline);
        foreach (int node in nodes)
        {
            string cpulist = Path.Combine(nodeDir, "node" + node.ToString(CultureInfo.InvariantCulture), "cpulist");
            if (!File.Exists(cpulist)) continue;
            foreach (int cpu in ReadList(cpulist)) nodeOfCpu[cpu] = node;
        }
        // A CPU no cpulist names: the cpuN/nodeM link sysfs also keeps says where it belongs.
        foreach (int cpu in online)
        {
            if (nodeOfCpu.ContainsKey(cpu)) continue;
            string dir = Path.Combine(cpuDir, "cpu" + cpu.ToString(CultureInfo.InvariantCulture));
            if (!Directory.Exists(dir)) continue;
            foreach (string entry in Directory.EnumerateFileSystemEntries(dir, "node*"))
                if (int.TryParse(Path.GetFileName(entry).AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int node))
                    nodeOfCpu[cpu] = node;
        }
        return new Topology(online, nodes, nodeOfCpu, hasNuma: true);
    }

    private static int[] ReadList(string path)
    {
        string text = File.ReadAllText(path);
        if (!CpuList.TryParse(text, out int[] list, out string? error))
            throw new InvalidDataException($"{path}: {error}");
        return list;
    }
}
