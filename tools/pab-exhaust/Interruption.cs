using System.Runtime.InteropServices;
using static Pab.Common.Native;

namespace Pab.Exhaust;

/// <summary>
/// SIGINT and SIGTERM: the signal is kept for every loop to stop on, and a filling child is killed
/// at once, since nothing else would stop it before the OOM killer.
/// </summary>
public static class Interruption
{
    private static volatile int s_signal;
    private static volatile int s_childPid;

    /// <summary>The signal that interrupted the run; 0 while none has.</summary>
    public static int Signal => s_signal;

    public static bool Requested => s_signal != 0;

    /// <summary>The child a signal kills; 0 while none runs.</summary>
    public static int ChildPid { set => s_childPid = value; }

    /// <summary>Handles SIGINT and SIGTERM until disposed.</summary>
    public static IDisposable Handle() => new Registrations(
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));

    private static void OnSignal(PosixSignalContext ctx)
    {
        ctx.Cancel = true;
        s_signal = ctx.Signal == PosixSignal.SIGINT ? SIGINT : SIGTERM;
        int pid = s_childPid;
        if (pid > 0) kill(pid, SIGKILL);
    }

    private sealed class Registrations(IDisposable sigint, IDisposable sigterm) : IDisposable
    {
        public void Dispose()
        {
            sigint.Dispose();
            sigterm.Dispose();
        }
    }
}
