using System.Runtime.InteropServices;

namespace Pab.Common;

/// <summary>
/// Transparent huge pages off for our own memory (prctl PR_SET_THP_DISABLE). Where THP is "always",
/// the runtime's heap and the threads' stacks grow by a whole 2 MiB page whenever they first touch a
/// new 2 MiB range: our footprint, inside the memory being measured, then jumps by 2 MiB at random
/// (seen at start-up as often as with more workers). So the flag is set first thing. It is inherited
/// at fork and kept across execve: a program we start gets the machine's setting back, the flag
/// being lifted just while it starts.
/// </summary>
public static partial class OwnHugePages
{
    private const int PrSetThpDisable = 41;
    private static bool _off;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Sets the flag; false when the kernel refuses it (before 3.15, or without THP: nothing to turn off).</summary>
    public static bool Disable() => _off = prctl(PrSetThpDisable, 1, 0, 0, 0) == 0;

    /// <summary>
    /// Lifts the flag until disposed: a program forked or spawned and executed meanwhile gets the
    /// machine's setting (<c>using (OwnHugePages.Lifted()) { spawn }</c>).
    /// </summary>
    public static Lift Lifted()
    {
        if (_off) prctl(PrSetThpDisable, 0, 0, 0, 0);
        return new Lift(_off);
    }

    /// <summary>Sets the flag again, if it was set when lifted.</summary>
    public readonly struct Lift(bool wasOff) : IDisposable
    {
        public void Dispose()
        {
            if (wasOff) prctl(PrSetThpDisable, 1, 0, 0, 0);
        }
    }
}
