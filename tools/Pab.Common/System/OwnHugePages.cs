using System.Runtime.InteropServices;
using Pab.Common.Kernel;

namespace Pab.Common;

/// <summary>
/// Transparent huge pages off for our own memory (prctl PR_SET_THP_DISABLE). Where THP is "always",
/// the runtime's heap and the threads' stacks grow by a whole 2 MiB page whenever they first touch a
/// new 2 MiB range: our footprint, inside the memory being measured, then jumps by 2 MiB at random
/// (seen at start-up as often as with more workers). The runtime starts its finalizer thread before
/// Main, and its 8 MiB stack can take such a page at once; so the flag is set first thing in Main and
/// the program executed again, keeping the flag (execve does), from its start. A program we start
/// gets the setting we were started with back: the flag is lifted while it starts (unless we inherited it).
/// </summary>
public static unsafe partial class OwnHugePages
{
    private const int PrSetThpDisable = 41, PrGetThpDisable = 42;
    private static bool _off;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execv(byte* path, byte** argv);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unsetenv(string name);

    /// <summary>
    /// Sets the flag, and when it was not set already runs this program again from its start with
    /// <paramref name="args"/> (returns only when it was set, or cannot be, or the execve failed:
    /// then this image goes on, the flag set where it could be).
    /// </summary>
    public static void DisableFromStart(string[] args)
    {
        if (prctl(PrGetThpDisable, 0, 0, 0, 0) == 1)
        {
            // Set by our first image (which says so here), or inherited: then what we start inherits it too.
            _off = Environment.GetEnvironmentVariable(ReexecVariable) == "1";
            Environment.SetEnvironmentVariable(ReexecVariable, null);
            unsetenv(ReexecVariable);
            return;
        }
        if (!Disable()) return;
        // By its path, not /proc/self/exe: the process keeps its name (ps, the OOM killer's log).
        if (Environment.ProcessPath is not { } exe) return;
        // In libc's environment, which execv passes on (.NET's own copy is not libc's).
        setenv(ReexecVariable, "1", 1);
        string argv0 = Environment.GetCommandLineArgs() is [var first, ..] ? first : exe;
        var strings = new nint[args.Length + 3];
        try
        {
            strings[0] = Marshal.StringToCoTaskMemUTF8(exe);
            strings[1] = Marshal.StringToCoTaskMemUTF8(argv0);
            for (int i = 0; i < args.Length; i++) strings[i + 2] = Marshal.StringToCoTaskMemUTF8(args[i]);
            fixed (nint* p = strings)
                execv((byte*)p[0], (byte**)(p + 1));
        }
        finally
        {
            foreach (nint p in strings) Marshal.FreeCoTaskMem(p);
        }
        unsetenv(ReexecVariable);
    }

    // Tells the second image that the flag is ours, not inherited; removed at once from our environment.
    private const string ReexecVariable = "PAB_THP_OFF_BY_US";

    /// <summary>Sets the flag; false when the kernel refuses it (before 3.15, or without THP: nothing to turn off).</summary>
    public static bool Disable() => _off = prctl(PrSetThpDisable, 1, 0, 0, 0) == 0;

    /// <summary>
    /// Lifts the flag until disposed: a program forked or spawned and executed meanwhile gets the
    /// machine's setting (<c>using (OwnHugePages.Lifted()) { spawn }</c>).
    /// </summary>
    public static Lift Lifted()
    {
        if (_off)
        {
            AwaitThreadsStarted(TimeSpan.FromMilliseconds(500));
            prctl(PrSetThpDisable, 0, 0, 0, 0);
        }
        return new Lift(_off);
    }

    // A thread created but not yet run (the runtime's signal thread is started just before a command
    // is) would touch its stack first while the flag is lifted, and could take a 2 MiB page: seen once
    // in a 2-CPU guest. The runtime's threads name themselves first thing, so until a thread has a name
    // of its own (or the limit passes) it has not run.
    private static void AwaitThreadsStarted(TimeSpan limit)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        try
        {
            if (ProcText.Read("/proc/self/comm") is not { } main) return;
            string self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            while (Directory.EnumerateDirectories("/proc/self/task").Any(t =>
                       Path.GetFileName(t) != self && ProcText.Read(Path.Join(t, "comm")) == main)
                   && Environment.TickCount64 < deadline)
                Thread.Sleep(1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
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
