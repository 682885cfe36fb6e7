using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using Pab.Common;
using static Pab.Common.Native;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>
/// The parent: protects itself, then per iteration spawns the child, lets it fill,
/// waits for it to die without allocating, and writes one record.
/// </summary>
public sealed unsafe class Parent(ExhaustSettings settings, RecordWriter writer, TextWriter log)
{
    /// <summary>How long a filling child may go without a new chunk before the parent gives up on it.</summary>
    public static TimeSpan StallLimit { get; } = TimeSpan.FromSeconds(120);
    /// <summary>How long the child may take to start (milliseconds normally; generous for a loaded emulated machine).</summary>
    public static TimeSpan StartLimit { get; } = TimeSpan.FromSeconds(300);

    private static volatile int s_signal;
    private static volatile int s_childPid;

    private readonly ExhaustSettings _base = settings;
    /// <summary>The current phase's settings (its label).</summary>
    private ExhaustSettings _settings = settings;

    /// <summary>The meta record of a run with these settings; under the link, written once per order.</summary>
    public Func<ExhaustSettings, Record>? Meta { get; init; }

    public int Run()
    {
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        bool progress = _base.Progress || !Console.IsErrorRedirected;
        var link = _base.Link;
        if (link == null && Meta != null) writer.Write(Meta(_base));
        WarmUp();
        ParentProtection.Apply(log);
        if (link == null) return Finish(RunPhase(_base.Label, progress));

        // Under pab-antagonize --idle-first this one process measures both phases of every order
        // the antagonist names; its workers for that order are set up (and parked) before the first idle fill.
        while (s_signal == 0)
        {
            var (order, notReady) = link.WaitForOrder(() => s_signal != 0);
            if (s_signal != 0) break;
            if (notReady != null) return LinkFailed($"pab-antagonize did not set up the next order: {notReady}");
            if (order == null) break; // "end": every order measured
            _settings = _base with { Order = order };
            if (Meta != null) writer.Write(Meta(_settings));
            int code = RunPhase(ExhaustSettings.IdleLabel, progress);
            if (code != 0 || s_signal != 0) return Finish(code);
            if ((link.Send(PhaseLink.Antagonize) ?? link.WaitFor(PhaseLink.Steady, () => s_signal != 0)) is { } notSteady && s_signal == 0)
                return LinkFailed($"the antagonized phase cannot begin: {notSteady}");
            if (s_signal != 0) break;
            code = RunPhase(ExhaustSettings.AntagonizedLabel, progress);
            if (code != 0 || s_signal != 0) return Finish(code);
            if (link.Send(PhaseLink.Next) is { } gone) return LinkFailed($"cannot ask for the next order: {gone}");
        }
        return Finish(0);
    }

    /// <summary>Metric records written so far, over every phase.</summary>
    private int _done;

    /// <summary>The iterations of one phase; the exit code (0 when all ran or a signal stopped them).</summary>
    private int RunPhase(string label, bool progress)
    {
        _settings = _settings with { Label = label };
        for (int i = 0; i < _base.Iterations && s_signal == 0; i++)
        {
            var (code, outcome) = RunOnce(i, progress);
            if (outcome.Kind == OutcomeKind.Interrupted)
                break;
            if (code != ExitCode.Ok)
            {
                log.WriteLine($"pab-exhaust: {label} iteration {i}: {outcome.Message}");
                writer.Write(new Record { Type = RecordType.Event, Event = "error", Label = label, Order = _settings.Order, Iteration = i, Message = outcome.Message });
                return (int)code;
            }
            _done++;
        }
        return 0;
    }

    /// <summary>The exit status: a failure's code, else 128 + the signal that interrupted the run (said and recorded), else 0.</summary>
    private int Finish(int code)
    {
        if (code != 0) return code;
        if (s_signal != 0)
        {
            string name = Outcomes.SignalName(s_signal);
            log.WriteLine($"pab-exhaust: interrupted by {name}; child killed; {_done} record(s) written");
            writer.Write(new Record { Type = RecordType.Event, Event = "interrupted", Label = _settings.Label, Order = _settings.Order, Message = $"{name} after {_done} iteration(s)" });
            return 128 + s_signal;
        }
        return 0;
    }

    private int LinkFailed(string message)
    {
        log.WriteLine("pab-exhaust: " + message);
        writer.Write(new Record { Type = RecordType.Event, Event = "error", Label = ExhaustSettings.AntagonizedLabel, Order = _settings.Order, Message = message });
        return (int)ExitCode.SetupFailed;
    }

    /// <summary>
    /// Runs once everything an iteration does around the fill (reading /proc, building and
    /// serializing a record, the no-GC region) so the parent's footprint is the same from the
    /// first iteration on: otherwise the first fill sees a smaller parent than the others.
    /// </summary>
    private void WarmUp()
    {
        ProcStatus.ReadOomKills();
        ProcStatus.ReadCgroupUsageBytes();
        ResidentMemory.Read();
        _ = Environment.CpuUsage.TotalTime;
        Progress.TryFormat(stackalloc char[160], 0, 1, 0, 0, out _);
        var snapshot = new ChildSnapshot(ChildState.Filling, ChildError.None, 0, 0, 1, 1, 1, false, 1, 1, 2, 1);
        var record = Outcomes.MetricRecord(_settings, 0, snapshot, new Outcome(OutcomeKind.OomKilled, null), 1, new ResidentMemory(1, 1, 1), 1, 1);
        record.Tool = writer.Tool;
        record.Run = writer.Run;
        record.Time = DateTimeOffset.UtcNow;
        RecordJson.ToUtf8Bytes(record);
        Outcomes.Classify(Native.SIGKILL, snapshot, _settings, 0, null, 1);
        if (GC.TryStartNoGCRegion(1 << 20)) GC.EndNoGCRegion();
    }

    private static void OnSignal(PosixSignalContext ctx)
    {
        ctx.Cancel = true;
        s_signal = ctx.Signal == PosixSignal.SIGINT ? SIGINT : SIGTERM;
        int pid = s_childPid;
        if (pid > 0) kill(pid, SIGKILL);
    }

    private (ExitCode, Outcome) RunOnce(int iteration, bool progress)
    {
        long pageSize = Environment.SystemPageSize;
        int memfd = memfd_create("pab-exhaust-counter", MFD_CLOEXEC);
        if (memfd < 0 || ftruncate(memfd, pageSize) != 0)
            return Setup($"cannot create the shared counter (memfd_create/ftruncate): {Native.ErrorText(Marshal.GetLastPInvokeError())}");
        var page = (SharedPage*)mmap(null, (nuint)pageSize, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if ((nint)page == MapFailed)
        {
            Native.close(memfd);
            return Setup($"cannot map the shared counter: {Native.ErrorText(Marshal.GetLastPInvokeError())}");
        }
        try
        {
            *page = default;
            page->Magic = SharedPage.ExpectedMagic;
            page->ParentPid = Environment.ProcessId;
            page->Workers = _settings.Workers;
            page->ChunkBytes = _settings.ChunkBytes;
            page->MmapBytes = _settings.MmapBytes;
            page->MaxBytes = _settings.MaxBytes ?? 0;
            page->ForceTouch = _settings.ForceTouch ? 1 : 0;
            page->HugePages = _settings.HugePages ? 1 : 0;
            return RunChild(iteration, page, memfd, progress);
        }
        finally
        {
            munmap(page, (nuint)pageSize);
            Native.close(memfd);
        }
    }

    private static (ExitCode, Outcome) Setup(string message) =>
        (ExitCode.SetupFailed, new Outcome(OutcomeKind.Failed, message));

    private (ExitCode, Outcome) RunChild(int iteration, SharedPage* page, int memfd, bool progress)
    {
        long spawnTicks = Stopwatch.GetTimestamp();
        int pid = ChildSpawn.Start(memfd, out int spawnErr);
        if (pid <= 0)
            return Setup($"cannot start the child ({ChildSpawn.ChildPath}): {Native.ErrorText(spawnErr)}");
        s_childPid = pid;
        if (s_signal != 0) kill(pid, SIGKILL);
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
            if (alive && Volatile.Read(ref page->State) == (int)ChildState.Ready && s_signal == 0)
            {
                cgroupBefore = ProcStatus.ReadCgroupUsageBytes();
                parentMemory = ResidentMemory.Read();
                Progress.TryFormat(stackalloc char[160], 0, 1, 0, 0, out _);
                // From here until the child is dead the parent must not need a new page.
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                noGc = GC.TryStartNoGCRegion(1 << 20);
                var cpuBefore = Environment.CpuUsage.TotalTime;
                Volatile.Write(ref page->Go, 1);
                gaveUp = WaitForDeath(iteration, pid, pidfd, page, progress);
                parentCpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
            }
            else if (alive && s_signal == 0)
            {
                if (Volatile.Read(ref page->State) == (int)ChildState.Starting)
                {
                    gaveUp = $"child did not get ready within {StartLimit.TotalSeconds:0} s; killed it";
                    kill(pid, SIGKILL);
                }
            }
            else if (s_signal != 0)
                kill(pid, SIGKILL);

            while (waitpid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == EINTR) { }
        }
        finally
        {
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            s_childPid = 0;
            if (pidfd >= 0) Native.close(pidfd);
        }
        if (progress) Progress.EndLine();

        var snapshot = ChildSnapshot.Read(page);
        long? oomAfter = ProcStatus.ReadOomKills();
        long? oomDuring = oomBefore != null && oomAfter != null ? oomAfter - oomBefore : null;
        var outcome = Outcomes.Classify(status, snapshot, _settings, s_signal, gaveUp, oomDuring);
        if (outcome.Kind is OutcomeKind.OomKilled or OutcomeKind.Capped)
        {
            double startSeconds = snapshot.ReadyTicks > spawnTicks ? (snapshot.ReadyTicks - spawnTicks) / (double)Stopwatch.Frequency : 0;
            writer.Write(Outcomes.MetricRecord(_settings, iteration, snapshot, outcome, cgroupBefore, parentMemory, startSeconds, parentCpu));
            return (ExitCode.Ok, outcome);
        }
        return (outcome.Kind == OutcomeKind.Interrupted ? ExitCode.Ok : ExitCode.ChildFailed, outcome);
    }

    /// <summary>Polls until <paramref name="done"/> or the child's death; false when the child is dead.</summary>
    private static bool WaitUntil(int pid, int pidfd, Func<bool> done, TimeSpan limit)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (!done() && s_signal == 0 && Stopwatch.GetTimestamp() < deadline)
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
        var stat = ProcStatus.SafeRead($"/proc/{pid}/stat");
        if (stat == null) return false;
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
    }

    /// <summary>
    /// Waits for the filling child to die. Allocation-free: it runs while memory is gone.
    /// Returns why the parent killed the child itself, or null.
    /// </summary>
    private string? WaitForDeath(int iteration, int pid, int pidfd, SharedPage* page, bool progress)
    {
        long lastFilled = -1;
        long lastChange = Stopwatch.GetTimestamp();
        long stallTicks = (long)(StallLimit.TotalSeconds * Stopwatch.Frequency);
        long prevTicks = lastChange, prevFilled = 0;
        while (Sleep(pid, pidfd, progress ? 250 : 1000))
        {
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
                Progress.Write(iteration, _settings.Iterations, filled, rate);
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
