using System.Globalization;
using System.Numerics;
using Pab.Common;
using Pab.Common.Kernel;

namespace Pab.Antagonize;

/// <summary>
/// What the high-order probe takes when --probe-order gives no order or --probe-count is not given: the
/// machine's pageblock order (what anti-fragmentation groups and a huge page fills), and a count of
/// blocks that together make a quarter of the machine's memory.
/// </summary>
public static class ProbeDefaults
{
    /// <summary>The share of the machine's memory the default count asks for: enough to see what is left, little enough to stay clear of the OOM killer.</summary>
    public const double CountShare = 1.0 / 4;

    /// <summary>The order taken when the kernel says nothing: x86-64's and arm64-4K's pageblock order.</summary>
    public const int FallbackOrder = 9;

    /// <summary>
    /// The pageblock order: "Page block order:" in /proc/pagetypeinfo (root only), else the PMD huge page's order
    /// from /sys/kernel/mm/transparent_hugepage/hpage_pmd_size, else <see cref="FallbackOrder"/>; at most
    /// <paramref name="maxOrder"/>. Also says where it came from.
    /// </summary>
    public static (int Order, string Source) PageblockOrder(string procRoot, string sysRoot, long pageSize, int maxOrder)
    {
        if (ProcText.Read(Path.Combine(procRoot, "pagetypeinfo")) is { } pti && FreeLists.ParsePageTypeInfo(pti).PageblockOrder is int po)
            return (Math.Min(po, maxOrder), "pagetypeinfo");
        if (ProcText.Read(Path.Combine(sysRoot, "kernel/mm/transparent_hugepage/hpage_pmd_size")) is { } pmd
            && HugeOrder(pmd, pageSize) is int ho)
            return (Math.Min(ho, maxOrder), "hpage_pmd_size");
        return (Math.Min(FallbackOrder, maxOrder), "fallback");
    }

    /// <summary>The order of a huge page of the size hpage_pmd_size gives (bytes), or null when it is not a power-of-two multiple of the page.</summary>
    public static int? HugeOrder(string text, long pageSize)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long bytes)) return null;
        if (bytes < pageSize || bytes % pageSize != 0 || !BitOperations.IsPow2(bytes / pageSize)) return null;
        return BitOperations.Log2((ulong)(bytes / pageSize));
    }

    /// <summary>
    /// Blocks of <paramref name="order"/> that together make <see cref="CountShare"/> of the machine's memory
    /// (MemTotal rounded as <see cref="HoldDefaults.MachineBytes"/> does, so kernels on one machine ask for the
    /// same); at least 1, at most the module's limit.
    /// </summary>
    public static int Count(int order, long memTotalBytes, long pageSize)
    {
        double blocks = Math.Floor(HoldDefaults.MachineBytes(memTotalBytes) * CountShare / ((double)pageSize * Math.Pow(2, order)));
        return (int)Math.Clamp(blocks, 1, Abi.ProbeMax);
    }

    /// <summary>
    /// Free blocks that one allocation of <paramref name="order"/> could take whole, over every zone: each free
    /// block of order k ≥ <paramref name="order"/> counts 2^(k − order). Watermarks keep some of them back.
    /// </summary>
    public static long FreeBlocks(FreeLists lists, int order)
    {
        long n = 0;
        foreach (var l in lists.Lists)
            for (int k = order; k < l.Blocks.Length; k++)
                n += l.Blocks[k] << (k - order);
        return n;
    }
}
