using Pab.Common;

namespace Pab.Tests.Common;

public class CpuAffinityTests
{
    [Fact]
    public void MaskHasOneBitPerCpuInTheRightWord()
    {
        Assert.Equal([1UL], CpuAffinity.Mask(0));
        Assert.Equal([2UL], CpuAffinity.Mask(1));
        Assert.Equal([1UL << 63], CpuAffinity.Mask(63));
        Assert.Equal([0UL, 1UL], CpuAffinity.Mask(64));
        Assert.Equal([0b1011UL, 0UL, 1UL << 2], CpuAffinity.Mask(0, 1, 3, 130));
        Assert.Equal([0, 1, 3, 130], CpuAffinity.CpusOf(CpuAffinity.Mask(130, 3, 1, 0)));
    }

    [Fact]
    public void EachPinnedThreadReadsBackOnlyItsOwnCpu()
    {
        // Real sched_setaffinity on this machine's CPUs, one thread each, read back two ways.
        var cpus = Topology.Read().OnlineCpus;
        var seen = new (int Tid, int[] Affinity, string? Proc, int Err)[cpus.Count];
        var threads = cpus.Select((cpu, i) => new Thread(() =>
        {
            int err = CpuAffinity.PinCurrentThread(cpu);
            int tid = Native.gettid();
            seen[i] = (tid, CpuAffinity.Allowed(), CpuAffinity.AllowedListFromProc(tid), err);
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        for (int i = 0; i < cpus.Count; i++)
        {
            Assert.Equal(0, seen[i].Err);
            Assert.Equal([cpus[i]], seen[i].Affinity);
            Assert.Equal(cpus[i].ToString(), seen[i].Proc);
        }
        Assert.Equal(cpus.Count, seen.Select(s => s.Tid).Distinct().Count());
    }
}
