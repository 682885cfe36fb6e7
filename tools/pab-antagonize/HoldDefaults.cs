using System.Numerics;

namespace Pab.Antagonize;

/// <summary>
/// The hold a run takes when --middle or --spread is not given, from the machine's shape: its memory,
/// the CPUs with a worker and the order. The workers together hold at most HoldShare of the machine's
/// memory at their peak ((middle + spread) × 2^order pages per CPU), and never more than MaxMiddle
/// blocks either side (the fixed default before: 2 CPUs and 1 GiB still get exactly that). Memory is
/// MemTotal rounded up to a quarter of the power of two below it (981 MiB and 955 MiB → 1 GiB, 3.78 GiB
/// → 4 GiB), so what kernels reserve differently (more with more CPUs, a crash kernel) does not change
/// it: kernels on one machine get the same hold.
/// </summary>
public static class HoldDefaults
{
    public const int MaxMiddle = 1000;
    /// <summary>The share of the machine's memory the workers may hold at their peak: a third (well inside the hold limit's half).</summary>
    public const double HoldShare = 1.0 / 3;

    /// <summary>MemTotal rounded up to a multiple of a quarter of the power of two below it.</summary>
    public static long MachineBytes(long memTotalBytes)
    {
        if (memTotalBytes <= 4) return Math.Max(memTotalBytes, 0);
        long step = (long)BitOperations.RoundUpToPowerOf2((ulong)memTotalBytes + 1) / 8;
        return (memTotalBytes + step - 1) / step * step;
    }

    /// <summary>Blocks per CPU for both the middle and the spread: at least 1, at most MaxMiddle.</summary>
    public static int Blocks(int order, int cpus, long memTotalBytes, long pageSize)
    {
        double blockBytes = (double)pageSize * Math.Pow(2, order);
        double blocks = Math.Floor(MachineBytes(memTotalBytes) * HoldShare / (2 * Math.Max(1, cpus) * blockBytes));
        return (int)Math.Clamp(blocks, 1, MaxMiddle);
    }
}
