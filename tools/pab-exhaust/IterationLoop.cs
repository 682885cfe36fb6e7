using Pab.Common;
using Pab.Common.Kernel;

namespace Pab.Exhaust;

/// <summary>
/// The iterations of a phase, each with a shared page and a child of its own, and how a run ends:
/// a failure's code, or the signal that stopped it (said and recorded).
/// </summary>
public sealed class IterationLoop(ExhaustSettings settings, RecordWriter writer, TextWriter log, bool progress)
{
    private readonly ChildSupervisor _child = new(writer, progress, settings.KernelAccount);
    private readonly PhaseAccount _account = new(writer, log, settings.KernelAccount,
        TraceEvents.ByDefaultFor(linked: settings.Link != null, antagonized: settings.Label == ExhaustSettings.AntagonizedLabel));
    private readonly ExhaustSettings _base = settings;

    /// <summary>The current phase's settings (its order and label).</summary>
    public ExhaustSettings Settings { get; private set; } = settings;

    /// <summary>Metric records written so far, over every phase.</summary>
    private int _done;

    /// <summary>Starts an order the antagonist names: the settings given, with that order.</summary>
    public void StartOrder(int order) => Settings = _base with { Order = order };

    /// <summary>Readies the kernel's account before the antagonist is asked to allocate (see PhaseAccount.StartTraces).</summary>
    public void PrepareAccount() => _account.StartTraces();

    /// <summary>The iterations of one phase; the exit code (0 when all ran or a signal stopped them).</summary>
    public int RunPhase(string label)
    {
        Settings = Settings with { Label = label };
        // A sweep's count belongs to the antagonized phase; the idle phase is the same at every count.
        writer.AntagonistCpus = label == ExhaustSettings.IdleLabel ? null : _base.AntagonistCpus;
        _account.Begin(Settings);
        for (int i = 0; i < _base.Iterations && !Interruption.Requested; i++)
        {
            var (code, outcome) = RunOnce(i);
            if (outcome.Kind == OutcomeKind.Interrupted)
                break;
            if (code != ExitCode.Ok)
            {
                log.WriteLine($"pab-exhaust: {label} iteration {i}: {outcome.Message}");
                writer.Write(new Record { Type = RecordType.Event, Event = "error", Label = label, Order = Settings.Order, Iteration = i, Message = outcome.Message });
                _account.End(Settings);
                return (int)code;
            }
            _account.AddFill(_child.LastFilled);
            _done++;
        }
        _account.End(Settings);
        return 0;
    }

    private (ExitCode, Outcome) RunOnce(int iteration)
    {
        using var shared = SharedPageMapping.Create(Settings, out string? error);
        if (shared == null) return (ExitCode.SetupFailed, new Outcome(OutcomeKind.Failed, error));
        return _child.Run(Settings, iteration, shared);
    }

    /// <summary>The exit status: a failure's code, else 128 + the signal that interrupted the run (said and recorded), else 0.</summary>
    public int Finish(int code)
    {
        _account.Finish();
        if (code != 0) return code;
        if (Interruption.Signal is int signal and not 0)
        {
            string name = Outcomes.SignalName(signal);
            log.WriteLine($"pab-exhaust: interrupted by {name}; child killed; {_done} record(s) written");
            writer.Write(new Record { Type = RecordType.Event, Event = "interrupted", Label = Settings.Label, Order = Settings.Order, Message = $"{name} after {_done} iteration(s)" });
            return ExitCodes.ForSignal(signal);
        }
        return 0;
    }

    /// <summary>
    /// Runs once everything an iteration does around the fill (reading /proc, building and
    /// serializing a record, the no-GC region) so the parent's footprint is the same from the
    /// first iteration on: otherwise the first fill sees a smaller parent than the others.
    /// </summary>
    public void WarmUp()
    {
        ProcStatus.ReadOomKills();
        ProcStatus.ReadCgroupUsageBytes();
        _child.Account.Begin();
        _child.Account.Sample();
        var account = _child.Account.End();
        ResidentMemory.Read();
        _ = Environment.CpuUsage.TotalTime;
        Progress.TryFormat(stackalloc char[160], 0, 1, 0, 0, out _);
        var snapshot = new ChildSnapshot(ChildState.Filling, ChildError.None, 0, 0, 1, 1, 1, false, 1, 1, 2, 1);
        var record = Outcomes.MetricRecord(Settings, 0, snapshot, new Outcome(OutcomeKind.OomKilled, null), 1, new ResidentMemory(1, 1, 1), 1, 1, account);
        record.Tool = writer.Tool;
        record.Run = writer.Run;
        record.Time = DateTimeOffset.UtcNow;
        RecordJson.ToUtf8Bytes(record);
        Outcomes.Classify(Native.SIGKILL, snapshot, Settings, 0, null, 1);
        if (GC.TryStartNoGCRegion(1 << 20)) GC.EndNoGCRegion();
    }
}
