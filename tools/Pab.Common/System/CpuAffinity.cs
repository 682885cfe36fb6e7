using System.Runtime.InteropServices;
namespace Pab.Common;

/// <summary>Pins threads to CPUs and reads back where the kernel lets them run.</summary>
public static unsafe class CpuAffinity
{
    /// <summary>
    /// The cpu_set_t bit mask holding exactly the given CPUs: bit (cpu % 64) of word (cpu / 64).
    /// (The original built its mask wrongly and pinned every worker to CPU 0.)
    /// </summary>
    public static ulong[] Mask(params ReadOnlySpan<int> cpus)
    {
        int max = 0;
        foreach (int cpu in cpus)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(cpu);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(cpu, CpuList.MaxCpu);
            max = Math.Max(max, cpu);
        }
        var mask = new ulong[max / 64 + 1];
        foreach (int cpu in cpus) mask[cpu / 64] |= 1UL << (cpu % 64);
        return mask;
    }

    public static int[] CpusOf(ReadOnlySpan<ulong> mask)
    {
        var cpus = new List<int>();
        for (int word = 0; word < mask.Length; word++)
            for (int bit = 0; bit < 64; bit++)
                if ((mask[word] & (1UL << bit)) != 0) cpus.Add(word * 64 + bit);
        return [.. cpus];
    }

    /// <summary>Pins the calling thread to one CPU; returns errno (0 on success).</summary>
    public static int PinCurrentThread(int cpu)
    {
        ulong[] mask = Mask(cpu);
        fixed (ulong* m = mask)
            return Native.sched_setaffinity(0, (nuint)(mask.Length * sizeof(ulong)), m) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>The CPUs a thread (by tid, 0 for the caller) may run on, from sched_getaffinity; returns errno (0 on success).</summary>
    public static int TryAllowed(int tid, out int[] cpus)
    {
        var mask = new ulong[(CpuList.MaxCpu + 1) / 64];
        cpus = [];
        fixed (ulong* m = mask)
            if (Native.sched_getaffinity(tid, (nuint)(mask.Length * sizeof(ulong)), m) != 0)
                return Marshal.GetLastPInvokeError();
        cpus = CpusOf(mask);
        return 0;
    }

    /// <summary>As <see cref="TryAllowed"/>, throwing <see cref="InvalidOperationException"/> on failure.</summary>
    public static int[] Allowed(int tid = 0)
    {
        int err = TryAllowed(tid, out int[] cpus);
        return err == 0 ? cpus : throw new InvalidOperationException($"sched_getaffinity({tid}): {Native.ErrorText(err)}");
    }

    /// <summary>A thread's Cpus_allowed_list line from /proc/self/task/TID/status, as the kernel words it.</summary>
    public static string? AllowedListFromProc(int tid)
    {
        string path = $"/proc/self/task/{tid}/status";
        if (!File.Exists(path)) return null;
        foreach (string line in File.ReadLines(path))
            if (line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
                return line["Cpus_allowed_list:".Length..].Trim();
        return null;
    }
}
