using System.Diagnostics;
using Pab.Common;

namespace Pab.Exhaust;

public enum OutcomeKind
{
    /// <summary>Killed by SIGKILL while filling, and the kernel counted an OOM kill.</summary>
    OomKilled,
    /// <summary>Stopped at --max-bytes.</summary>
    Capped,
    /// <summary>SIGINT/SIGTERM reached the parent, which killed the child.</summary>
    Interrupted,
    Failed,
}

/// <summary>What the shared page said when the child was gone.</summary>
public readonly record struct ChildSnapshot(
    ChildState State, ChildError Error, int ErrorErrno, long ErrorSize,
    long Filled, long Mapped, long PieceBytes, bool UsedTouch,
    long ReadyTicks, long StartTicks, long LastTicks, long BaselineRssBytes)
{
    public static unsafe ChildSnapshot Read(SharedPage* p) => new(
        (ChildState)Volatile.Read(ref p->State), (ChildError)p->Error, p->ErrorErrno, p->ErrorSize,
        Volatile.Read(ref p->Filled), p->Mapped, p->PieceBytes, p->UsedTouch != 0,
        p->ReadyTicks, p->StartTicks, Volatile.Read(ref p->LastTicks), p->BaselineRssBytes);

    public double DurationSeconds =>
        StartTicks == 0 || LastTicks < StartTicks ? 0 : (LastTicks - StartTicks) / (double)Stopwatch.Frequency;
}

public readonly record struct Outcome(OutcomeKind Kind, string? Message);

public static class Outcomes
{
    /// <summary>
    /// Decides how the child ended from its wait status, the shared page, whether the
    /// parent was interrupted or gave up waiting, and how many OOM kills the kernel counted meanwhile.
    /// </summary>
    public static Outcome Classify(int waitStatus, ChildSnapshot s, ExhaustSettings settings,
        int interruptSignal, string? parentKilledBecause, long? oomKillsDuring)
    {
        if (interruptSignal != 0)
            return new(OutcomeKind.Interrupted, $"interrupted by {SignalName(interruptSignal)}: child killed");
        if (parentKilledBecause != null)
            return new(OutcomeKind.Failed, parentKilledBecause);
        if (s.State == ChildState.Failed || s.Error != ChildError.None)
            return new(OutcomeKind.Failed, ChildErrorText(s, settings));

        if (ExhaustNative.WIfSignaled(waitStatus))
        {
            int sig = ExhaustNative.WTermSig(waitStatus);
            if (sig != Native.SIGKILL)
                return new(OutcomeKind.Failed, $"child was killed by {SignalName(sig)} instead of the OOM killer's SIGKILL (after filling {ByteSize.Format(s.Filled)})");
            if (s.State != ChildState.Filling)
                return new(OutcomeKind.Failed, $"child was killed by SIGKILL before it started filling (state {s.State.ToString().ToLowerInvariant()}): memory was already short, or someone else killed it");
            if (oomKillsDuring == 0)
                return new(OutcomeKind.Failed, $"child was killed by SIGKILL after filling {ByteSize.Format(s.Filled)}, but the kernel counted no OOM kill (/proc/vmstat oom_kill): someone else killed it");
            return new(OutcomeKind.OomKilled, null);
        }
        if (ExhaustNative.WIfExited(waitStatus))
        {
            int code = ExhaustNative.WExitStatus(waitStatus);
            if (code == 0 && s.State == ChildState.Capped && settings.MaxBytes != null)
                return new(OutcomeKind.Capped, null);
            return new(OutcomeKind.Failed,
                $"child exited with status {code} instead of being OOM-killed (state {s.State.ToString().ToLowerInvariant()}, filled {ByteSize.Format(s.Filled)})");
        }
        return new(OutcomeKind.Failed, $"child ended with wait status 0x{waitStatus:x}");
    }

    public static string ChildErrorText(ChildSnapshot s, ExhaustSettings settings)
    {
        string errno = s.ErrorErrno == 0 ? "" : $"{Native.ErrorText(s.ErrorErrno)} (errno {s.ErrorErrno})";
        return s.Error switch
        {
            ChildError.OomScoreAdj =>
                $"child could not set its oom_score_adj to 1000: {errno}; without it the OOM killer may pick another process than the child",
            ChildError.MmapRefused =>
                $"mmap of {s.ErrorSize} bytes ({ByteSize.Format(s.ErrorSize)}) refused: {errno} after mapping {ByteSize.Format(s.Mapped)} and filling {ByteSize.Format(s.Filled)}. " +
                (s.ErrorErrno == Native.ENOMEM
                    ? "The kernel would not give more address space, so the fill ended before the OOM killer could end it. " +
                      "Usual causes: vm.overcommit_memory=2 (strict commit limit; use 0 or 1 for this measurement) or an address-space " +
                      $"limit (ulimit -v). Pieces were already halved down to one chunk; a smaller --mmap-size (now {ByteSize.Format(settings.MmapBytes)}) " +
                      "only helps where a single mapping is too large."
                    : $"Try a smaller --mmap-size (now {ByteSize.Format(settings.MmapBytes)})."),
            ChildError.Populate =>
                $"populating {ByteSize.Format(s.ErrorSize)} with MADV_POPULATE_WRITE failed: {errno}",
            ChildError.Affinity => s.ErrorSize < 0
                ? $"child could not read the CPUs it may run on (sched_getaffinity): {errno}"
                : $"child could not pin a fill worker to CPU {s.ErrorSize} (sched_setaffinity): {errno}",
            ChildError.ParentGone => "child found its parent gone before it started",
            ChildError.SharedPage => "child could not map the shared counter page",
            _ => $"child failed ({s.Error})",
        };
    }

    public static string SignalName(int sig) => sig switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 3 => "SIGQUIT", 4 => "SIGILL", 6 => "SIGABRT", 7 => "SIGBUS", 8 => "SIGFPE",
        9 => "SIGKILL", 11 => "SIGSEGV", 13 => "SIGPIPE", 14 => "SIGALRM", 15 => "SIGTERM",
        _ => $"signal {sig}",
    };

    /// <summary>The metric record for one finished iteration.</summary>
    public static Record MetricRecord(ExhaustSettings settings, int iteration, ChildSnapshot s, Outcome outcome,
        long? cgroupUsageBeforeFill, ResidentMemory? parent, double childStartSeconds, double? parentCpuSeconds = null,
        IReadOnlyDictionary<string, double>? kernelAccount = null)
    {
        double duration = s.DurationSeconds;
        var details = new Dictionary<string, double>
        {
            ["resolution_bytes"] = settings.ResolutionBytes,
            ["duration_s"] = Math.Round(duration, 6),
            ["fill_rate_bytes_per_s"] = duration > 0 ? Math.Round(s.Filled / duration) : 0,
            ["capped"] = outcome.Kind == OutcomeKind.Capped ? 1 : 0,
            ["chunk_bytes"] = settings.ChunkBytes,
            ["workers"] = settings.Workers,
            ["mmap_bytes"] = s.PieceBytes,
            ["populate_write"] = s.UsedTouch || settings.ForceTouch ? 0 : 1,
            ["huge_pages"] = settings.HugePages ? 1 : 0,
            ["child_baseline_rss_bytes"] = s.BaselineRssBytes,
            ["child_start_s"] = Math.Round(childStartSeconds, 6),
        };
        if (cgroupUsageBeforeFill is { } u) details["cgroup_usage_before_fill_bytes"] = u;
        // What the parent holds through the fill is memory the child cannot have.
        parent?.AddTo(details, "parent_");
        // CPU the parent spent while the child filled: it only waits, it never prints a count.
        if (parentCpuSeconds is { } c) details["parent_cpu_s"] = Math.Round(c, 6);
        // The kernel's account of the fill: vmstat_* deltas and peak_* free lists (FillAccount).
        if (kernelAccount != null)
            foreach (var (k, v) in kernelAccount) details[k] = v;
        return new Record
        {
            Type = RecordType.Metric,
            Metric = settings.Metric,
            Label = settings.Label,
            Order = settings.Order,
            Iteration = iteration,
            Unit = Units.Bytes,
            Value = s.Filled,
            Details = details,
            Message = outcome.Kind == OutcomeKind.Capped
                ? $"capped at --max-bytes {settings.MaxBytes} bytes: not limited by the OOM killer"
                : null,
        };
    }
}
