using System.Runtime.InteropServices;
using Pab.Common;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>What keeps the parent alive and allocation-free while its child exhausts memory.</summary>
public static class ParentProtection
{
    /// <summary>
    /// Makes the parent a poor OOM victim and keeps it from needing memory later:
    /// oom_score_adj -1000 where allowed, and every page it has locked and present.
    /// </summary>
    public static void Apply(TextWriter log)
    {
        int err = OomScoreAdj.TrySet(-1000);
        if (err != 0)
            log.WriteLine($"pab-exhaust: cannot lower own oom_score_adj ({Native.ErrorText(err)}; needs root or CAP_SYS_RESOURCE): " +
                          "relying on locked memory and the child's oom_score_adj 1000");
        // Collect now so the heap is small, then lock what is present. MCL_ONFAULT keeps
        // mlockall from populating every runtime thread's untouched 8 MiB stack; MCL_FUTURE
        // keeps whatever the parent touches later locked too.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        TouchStack();
        if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0 &&
            (Marshal.GetLastPInvokeError() != Native.EINVAL || mlockall(MCL_CURRENT) != 0))
        {
            int e = Marshal.GetLastPInvokeError();
            log.WriteLine($"pab-exhaust: mlockall failed ({Native.ErrorText(e)}): the parent's pages may be reclaimed while the child fills");
        }
    }

    /// <summary>Makes the stack the wait loop needs present before locking (MCL_ONFAULT locks only present pages).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int TouchStack()
    {
        Span<byte> stack = stackalloc byte[128 * 1024];
        for (int i = 0; i < stack.Length; i += 4096) stack[i] = 1;
        return stack[^4096];
    }
}
