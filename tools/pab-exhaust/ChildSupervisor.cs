using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using Pab.Common;
using Pab.Common.Kernel;
using static Pab.Common.Native;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>
/// One child from spawn to reaping: waits for it to get ready, says go, waits without allocating
/// for it to die (killing it when it stalls, takes too long to start, or a signal came), and
/// writes the iteration's record when the OOM killer (or --max-bytes) ended it.
/// </summary>
public sealed unsafe class ChildSupervisor(RecordWriter writer, bool progress, bool kernelAccount = true)
{
    /// <summary>How long a filling child may go without a new chunk before the parent gives up on it.</summary>
    public static TimeSpan StallLimit { get; } = TimeSpan.FromSeconds(120);
    /// <summary>How long the child may take to start (milliseconds normally; generous for a loaded emulated machine).</summary>
    public static TimeSpan StartLimit { get; } = TimeSpan.FromSeconds(300);

    /// <summary>The kernel's account of each fill; lives as long as the supervisor (its files stay open).</summary>
    public FillAccount Account { get; } = new(kernelAccount);

    /// <summary>Bytes the last recorded fill reached.</summary>
    public long LastFilled { get; private set; }

    public (ExitCode, Outcome) Run(ExhaustSettings settings, int iteration, SharedPageMapping shared)
    {
        SharedPage* page = shared.Page;
        long spawnTicks = Stopwatch.GetTimestamp();
        int pid = ChildSpawn.Start(shared.Fd, out int spawnErr);
        if (pid <= 0)
            return (ExitCode.SetupFailed, new Outcome(OutcomeKind.Failed, $"cannot start the child ({ChildSpawn.ChildPath}): {Native.ErrorText(spawnErr)}"));
        Interruption.ChildPid = pid;
        if (Interruption.Requested) kill(pid, SIGKILL);
        int pidfd = PidfdOpen(pid);
        string? gaveUp = null;
        long? oomBefore = ProcStatus.ReadOomKills();
        long? cgroupBefore = null;
        ResidentMemory? parentMemory = null;
        double? parentCpu = null;
        bool noGc = false;
        int status = 0;
        try
        {
            // Until the child is ready: it may take seconds to start under emulation.
            bool alive = WaitUntil(pid, pidfd, () => Volatile.Read(ref page->State) != (int)ChildState.Starting, StartLimit);
            if (alive && Volatile.Read(ref page->State) == (int)ChildState.Ready && !Interruption.Requested)
            {
                cgroupBefore = ProcStatus.ReadCgroupUsageBytes();
                parentMemory = ResidentMemory.Read();
                Account.Begin();
                Progress.TryFormat(stackalloc char[160], 0, 1, 0, 0, out _);
                // From here until the child is dead the parent must not need a new page.
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                noGc = GC.TryStartNoGCRegion(1 << 20);
                var cpuBefore = Environment.CpuUsage.TotalTime;
                Volatile.Write(ref page->Go, 1);
                gaveUp = WaitForDeath(settings, iteration, pid, pidfd, page);
                parentCpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
            }
            else if (alive && !Interruption.Requested)
            {
                if (Volatile.Read(ref page->State) == (int)ChildState.Starting)
                {
                    gaveUp = $"child did not get ready within {StartLimit.TotalSeconds:0} s; killed it";
                    kill(pid, SIGKILL);
                }
            }
            else if (Interruption.Requested)
                kill(pid, SIGKILL);

            while (waitpid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == EINTR) { }
        }
        finally
        {
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            Interruption.ChildPid = 0;
            if (pidfd >= 0) Native.close(pidfd);
        }
        if (progress) Progress.EndLine();

        var snapshot = ChildSnapshot.Read(page);
        var account = Account.End();
        long? oomAfter = ProcStatus.ReadOomKills();
        long? oomDuring = oomBefore != null && oomAfter != null ? oomAfter - oomBefore : null;
        var outcome = Outcomes.Classify(status, snapshot, settings, Interruption.Signal, gaveUp, oomDuring);
        if (outcome.Kind is OutcomeKind.OomKilled or OutcomeKind.Capped)
        {
            double startSeconds = snapshot.ReadyTicks > spawnTicks ? (snapshot.ReadyTicks - spawnTicks) / (double)Stopwatch.Frequency : 0;
            writer.Write(Outcomes.MetricRecord(settings, iteration, snapshot, outcome, cgroupBefore, parentMemory, startSeconds, parentCpu, account));
            LastFilled = snapshot.Filled;
            return (ExitCode.Ok, outcome);
        }
        return (outcome.Kind == OutcomeKind.Interrupted ? ExitCode.Ok : ExitCode.ChildFailed, outcome);
    }

    /// <summary>Polls until <paramref name="done"/> or the child's death; false when the child is dead.</summary>
    private static bool WaitUntil(int pid, int pidfd, Func<bool> done, TimeSpan limit)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (!done() && !Interruption.Requested && Stopwatch.GetTimestamp() < deadline)
            if (!Sleep(pid, pidfd, 5)) return false;
        return !done() || IsAlive(pid, pidfd);
    }

    /// <summary>Sleeps up to <paramref name="ms"/> or until the child dies; false when it has.</summary>
    private static bool Sleep(int pid, int pidfd, int ms)
    {
        if (pidfd >= 0)
        {
            var fd = new PollFd { Fd = pidfd, Events = POLLIN };
            return poll(&fd, 1, ms) == 0 || (fd.Revents & POLLIN) == 0;
        }
        poll(null, 0, ms);
        return IsAlive(pid, pidfd);
    }

    private static bool IsAlive(int pid, int pidfd)
    {
        if (pidfd >= 0)
        {
            var fd = new PollFd { Fd = pidfd, Events = POLLIN };
            return poll(&fd, 1, 0) == 0;
        }
        // Without pidfd: a zombie still answers kill(0), so look at its state instead.
        var stat = ProcText.Read($"/proc/{pid}/stat");
        if (stat == null) return false;
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
    }

    /// <summary>
    /// Waits for the filling child to die. Allocation-free: it runs while memory is gone.
    /// Returns why the parent killed the child itself, or null.
    /// </summary>
    private string? WaitForDeath(ExhaustSettings settings, int iteration, int pid, int pidfd, SharedPage* page)
    {
        long lastFilled = -1;
        long lastChange = Stopwatch.GetTimestamp();
        long stallTicks = (long)(StallLimit.TotalSeconds * Stopwatch.Frequency);
        long prevTicks = lastChange, prevFilled = 0;
        while (Sleep(pid, pidfd, progress ? 250 : 1000))
        {
            Account.Sample();
            long now = Stopwatch.GetTimestamp();
            long filled = Volatile.Read(ref page->Filled);
            if (filled != lastFilled)
            {
                lastFilled = filled;
                lastChange = now;
            }
            else if (now - lastChange > stallTicks)
            {
                kill(pid, SIGKILL);
                return StallMessage(filled);
            }
            if (progress)
            {
                double rate = (filled - prevFilled) / ((now - prevTicks) / (double)Stopwatch.Frequency);
                Progress.Write(iteration, settings.Iterations, filled, rate);
                prevTicks = now;
                prevFilled = filled;
            }
        }
        return null;
    }

    private static string StallMessage(long filled) =>
        $"child made no progress for {StallLimit.TotalSeconds:0} s after filling {ByteSize.Format(filled)} and was not OOM-killed; killed it " +
        "(is the OOM killer disabled for its cgroup, e.g. memory.oom_control oom_kill_disable 1?)";
}
