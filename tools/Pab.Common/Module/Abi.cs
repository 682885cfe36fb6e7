using System.Runtime.InteropServices;

namespace Pab.Common;

// Mirror of kmod/page_alloc_bench.h. Never edit one without the other:
// AbiTests compiles a C program against the header and compares every
// size, offset and ioctl number with these.

[StructLayout(LayoutKind.Sequential)]
public struct PabAllocPage
{
    public int Order;          // args.order
    public ulong Id;           // result.id
    public int Nid;            // result.nid
    public long LatencyNs;     // result.latency_ns
}

[StructLayout(LayoutKind.Sequential)]
public struct PabFreePage
{
    public ulong Id;           // args.id
    public long LatencyNs;     // result.latency_ns
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct PabInfo
{
    public uint AbiVersion;
    public uint MaxOrder;
    public ulong FileOutstanding;
    public ulong TotalOutstanding;
    public ulong TotalOutstandingPages;
    public fixed byte ModuleVersion[Abi.VersionLength];
}

[StructLayout(LayoutKind.Sequential)]
public struct PabBatchEntry
{
    public ulong Id;
    public long LatencyNs;
    public int Nid;
    public uint Reserved;
}

[StructLayout(LayoutKind.Sequential)]
public struct PabBatch
{
    public ulong Entries;
    public uint Count;
    public int Order;
    public uint Done;
    public uint Flags;
}

[StructLayout(LayoutKind.Sequential)]
public struct PabSelftest
{
    public int Order;
    public uint Hold;
    public ulong Count;
    public ulong Allocs;
    public ulong Failures;
    public ulong ElapsedNs;
}

[StructLayout(LayoutKind.Sequential)]
public struct PabProbe
{
    public ulong Latencies;    // user pointer to Count longs
    public uint Count;
    public int Order;
    public uint Mode;          // Abi.ProbeNoCompact or Abi.ProbeCompact
    public uint Flags;
    public uint Attempts;
    public uint Successes;
    public ulong ElapsedNs;
}

[StructLayout(LayoutKind.Sequential)]
public struct PabQueueAllocMode
{
    public ulong Entries;
    public uint Count;
    public int Order;
    public uint Done;
    public uint Gfp;
    public uint Bulk;
    public uint Pad;
}

public static unsafe class Abi
{
    /// <summary>The module's name: its .ko, its /sys/module folder and its /proc file.</summary>
    public const string ModuleName = "page_alloc_bench";
    public const string ProcPath = "/proc/" + ModuleName;
    public const int AbiVersion = 4;
    public const int Magic = 0x12;
    public const int BatchMax = 1024;
    public const ulong SelftestMax = 1UL << 32;
    public const int VersionLength = 32;
    /// <summary>Most attempts one probe call makes (PAB_PROBE_MAX).</summary>
    public const uint ProbeMax = 1U << 20;
    /// <summary>Probe modes: only what the free lists hold, or with direct reclaim and compaction (PAB_PROBE_*).</summary>
    public const uint ProbeNoCompact = 0, ProbeCompact = 1;
    public const int BulkMax = 1024;
    public const uint GfpKernel = 0, GfpAtomic = 1, GfpNoretry = 2, GfpModes = 3;

    // asm-generic/ioctl.h encoding, which x86-64 uses.
    private const int NrBits = 8, TypeBits = 8, SizeBits = 14;
    private const int TypeShift = NrBits, SizeShift = TypeShift + TypeBits, DirShift = SizeShift + SizeBits;
    private const uint Write = 1, Read = 2;

    private static uint Ioc(uint dir, int nr, int size) =>
        (dir << DirShift) | ((uint)size << SizeShift) | ((uint)Magic << TypeShift) | (uint)nr;

    public static readonly uint AllocPage = Ioc(Read | Write, 1, sizeof(PabAllocPage));
    public static readonly uint FreePage = Ioc(Read | Write, 3, sizeof(PabFreePage));
    public static readonly uint Info = Ioc(Read, 16, sizeof(PabInfo));
    public static readonly uint AllocBatch = Ioc(Read | Write, 17, sizeof(PabBatch));
    public static readonly uint FreeBatch = Ioc(Read | Write, 18, sizeof(PabBatch));
    public static readonly uint Selftest = Ioc(Read | Write, 19, sizeof(PabSelftest));
    public static readonly uint QueueAlloc = Ioc(Read | Write, 20, sizeof(PabBatch));
    public static readonly uint QueueFree = Ioc(Read | Write, 21, sizeof(PabBatch));
    public static readonly uint Probe = Ioc(Read | Write, 22, sizeof(PabProbe));
    public static readonly uint QueueAllocMode = Ioc(Read | Write, 23, sizeof(PabQueueAllocMode));
}
