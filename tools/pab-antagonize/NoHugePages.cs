using System.Runtime.InteropServices;

namespace Pab.Antagonize;

/// <summary>
/// Transparent huge pages off for our own memory (prctl PR_SET_THP_DISABLE). Where THP is "always",
/// the runtime's heap and the threads' stacks grow by a whole 2 MiB page whenever they first touch a
/// new 2 MiB range: our footprint, inside the memory being measured, then jumps by 2 MiB at random
/// (once or twice more at 16 workers than at 8, in a 16-CPU guest). The flag is inherited at fork,
/// so it is set only once no command will be started from us, never for the command measured.
/// </summary>
public static partial class NoHugePages
{
    private const int PrSetThpDisable = 41;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Sets the flag; false when the kernel refuses it (before 3.15, or without THP: nothing to turn off).</summary>
    public static bool Disable() => prctl(PrSetThpDisable, 1, 0, 0, 0) == 0;
}
