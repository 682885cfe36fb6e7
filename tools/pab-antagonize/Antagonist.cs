using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// One run: the preflight checks, then the worker pool (or the selftest) is started, the run waits
/// for steady state and for the command, the duration or a signal, and stops and writes its results.
/// </summary>
public sealed class Antagonist(AntagonizeOptions options, RecordWriter records, TextWriter log)
{
    public const string Tool = "pab-antagonize";
    public const string Label = "antagonized";
    public const string IdleLabel = "idle";

    private AntagonizeOptions _options = options;
    private LoadedModule _module = new(ModuleKind.ThisProject, null);
    // The first order, until another begins; the command's PAB_ORDER.
    private readonly RunOutput _out = new(records, log, options.Orders[0]);
    private volatile int _signal;

    public string SysRoot { get; init; } = "/sys";
    public string ProcRoot { get; init; } = "/proc";
    public string ProcPath { get; init; } = Abi.ProcPath;

    // Read once: the preflight needs MemTotal, the meta record all of it.
    private HostInfo? _host;
    private HostInfo Host => _host ??= HostInfo.Collect(ProcRoot, SysRoot);

    // --idle-first: the command, started before anything else, and its link.
    private OomShield? _shield;
    // --probe-order: the probe, resolved against the loaded module.
    private HighOrderProbe? _probe;
    private PhaseLink.AntagonistEnd? _link;
    private WrappedCommand? _command;

    public int Run()
    {
        string? orderFileError = null;
        using var orderFile = _options.OrderFile is { } path ? OrderFile.Open(path, out orderFileError) : null;
        if (orderFileError != null) return _out.Fail(new Refusal(ExitCode.Failed, orderFileError));
        _out.OrderFile = orderFile;
        if (_options.IdleFirst && _options.Command.Length > 0)
        {
            // The command starts first: its .NET start (seconds under emulation) overlaps our checks
            // and set-up, and it waits on the link until its first order's workers are ready.
            _shield = OomShield.Raise(_out.Say);
            _link = new PhaseLink.AntagonistEnd();
            _command = new WrappedCommand(_options.Command, _out.Order, _out) { Link = _link, AntagonistCpus = _options.CpuCount };
            if (_command.Start(_shield, IdleLabel, announce: false) != null)
            {
                _link.Dispose();
                return (int)ExitCode.CommandNotStarted;
            }
        }
        try
        {
            return RunChecked();
        }
        finally
        {
            if (_command?.Started == true)
            {
                // A check refused the run: the command is told there is nothing to measure.
                _link!.Send(PhaseLink.End);
                _command.Wait(() => false);
            }
            _link?.Dispose();
        }
    }

    private int RunChecked()
    {
        Preflight.WaitForModule(ProcPath, ProcRoot, _options.WaitLoaded);
        Topology topology;
        try
        {
            topology = Topology.Read(SysRoot);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return _out.Fail(new Refusal(ExitCode.Error, "reading the CPU topology: " + e.Message));
        }
        if ((Preflight.ResolveCpus(_options.Cpus, topology, out int[] cpus, _options.CpuCount)
             ?? CheckFreeOn(cpus)
             ?? Preflight.CheckRoot(Native.geteuid())
             ?? Preflight.CheckLoaded(ProcPath, ProcRoot)
             ?? CheckHeldMemory(cpus.Length)) is { } refusal)
            return _out.Fail(refusal);

        ModuleClient control;
        try
        {
            control = ModuleClient.Open(ProcPath);
        }
        catch (ModuleException e)
        {
            // ENOENT: unloaded between the check and the open.
            return _out.Fail(e.Errno == Native.ENOENT
                ? Preflight.NotLoaded(ProcPath)
                : new Refusal(ExitCode.ModuleCallFailed, e.Message));
        }
        using (control)
        {
            // Every order is checked before anything is measured: the largest against the kernel's limit, each by a probe.
            if (ModuleCheck.Check(ProcPath, ProcRoot, control, _options, _options.Orders.Max(), out _module) is { } bad)
                return _out.Fail(bad);
            if (_options.Probe is { } probeSettings)
            {
                if (_module.IsOriginal)
                    return _out.Fail(new Refusal(ExitCode.AbiMismatch,
                        $"--probe-order needs this project's module (its probe call), but the loaded {Abi.ModuleName} is the original module, which has only the single-page alloc and free calls; load this project's with `pab-load remove` and `pab-load insert`"));
                var (resolved, refused) = probeSettings.Resolve(ProcRoot, SysRoot, Environment.SystemPageSize, (int)_module.Info!.Value.MaxOrder, Host.MemTotalBytes);
                if (refused != null) return _out.Fail(refused);
                _options = _options with { Probe = resolved };
                _probe = new HighOrderProbe(control, resolved!.Order!.Value, resolved.Count!.Value, _out, ProcRoot);
            }
            string? notice = _module.IsOriginal ? ModuleCheck.Notice(_options) : null;
            if (notice != null)
            {
                _out.Say(notice);
                _options = _options with { Batch = 1 };
            }
            Host.ModuleAbi = _module.IsOriginal ? HostInfo.OriginalModuleAbi : _module.Info!.Value.AbiVersion.ToString(CultureInfo.InvariantCulture);
            if (_options.SelftestCount is long count)
            {
                BeginOrder(_out.Order, cpus);
                return new Selftest(_out.Order, (uint)For(_out.Order, cpus.Length).SelftestHold, (ulong)count, ProcPath, _out).Run(cpus, topology);
            }

            foreach (int order in _options.Orders)
            {
                int probe = control.TryAllocPage(order, out PabAllocPage page);
                if (probe == 0) control.TryFreePage(page.Id, out _);
                if (Preflight.CheckProbe(probe, order) is { } rejected) return _out.Fail(rejected);
            }

            Host.ModuleVersion ??= _module.Info?.ModuleVersion;
            BeginOrder(_out.Order, cpus);
            if (notice != null) _out.Event("original_module", notice);
            return RunWorkers(cpus, topology, control);
        }
    }

    private void BeginOrder(int order, int[] cpus) => _out.BeginOrder(order, AntagonistRecords.Meta(For(order, cpus.Length), order, cpus, Host));

    /// <summary>The options of one order: the hold --middle and --spread did not give, derived from the machine.</summary>
    private AntagonizeOptions For(int order, int cpus) => _options.ForOrder(order, cpus, Host.MemTotalBytes, Environment.SystemPageSize);

    /// <summary>--free-on other pairs each CPU with another: one CPU has none.</summary>
    private Refusal? CheckFreeOn(int[] cpus) =>
        _options.FreeOn == FreeOn.Other && cpus.Length < 2
            ? new Refusal(ExitCode.Usage, $"--free-on other: needs at least 2 CPUs to free each block on a CPU other than its own, and the run has 1 (CPU {CpuList.Format(cpus)}); give --cpus a longer list or use --free-on same")
            : null;

    /// <summary>Every order's hold against the limit (derived holds stay well inside it; an explicit one may not).</summary>
    private Refusal? CheckHeldMemory(int cpus)
    {
        foreach (int order in _options.Orders.Order())
        {
            var o = For(order, cpus);
            bool selftest = o.SelftestCount != null;
            var refusal = Preflight.CheckHeldMemory(order,
                selftest ? o.SelftestHold : o.Middle + o.Spread,
                selftest ? $"--middle {o.Middle}" : $"--middle {o.Middle} --spread {o.Spread}",
                cpus, Environment.SystemPageSize, Host.MemTotalBytes, o.NoHoldLimit, out string? warning);
            if (warning != null) _out.Say($"warning: {warning}");
            if (refusal != null) return refusal;
        }
        return null;
    }

    private int RunWorkers(int[] cpus, Topology topology, ModuleClient controlClient)
    {
        var o = _options;
        var shield = _shield ?? OomShield.Raise(_out.Say);
        // Test-only: memory of our own that must not show in what is measured.
        byte[]? ballast = o.BallastBytes > 0 ? Ballast(o.BallastBytes) : null;
        var link = _link;
        var command = _command ?? (o.Command.Length > 0 ? new WrappedCommand(o.Command, _out.Order, _out) { AntagonistCpus = o.CpuCount } : null);
        AntagonistControl? current = null; // without --idle-first: the workers a signal stops
        void OnSignal(PosixSignalContext ctx, int signal)
        {
            ctx.Cancel = true;
            _signal = signal;
            if (command?.OnSignal(signal) != true) current?.RequestStop();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => OnSignal(ctx, Native.SIGINT));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => OnSignal(ctx, Native.SIGTERM));

        (OrderWorkers?, int) Start(int order) =>
            OrderWorkers.Start(For(order, cpus.Length), order, cpus, topology, ProcPath, controlClient, _module.IsOriginal, _out);
        int exit;
        if (link != null)
        {
            command!.Announce();
            var phases = new OrderPhases(link, _out, o)
            {
                Start = Start,
                BeginOrder = next => BeginOrder(next, cpus),
                MiddleOf = order => For(order, cpus.Length).Middle,
                Probe = _probe,
                ProbeAtRest = o.Probe?.AtRest == true,
            };
            (int status, string reason, exit) = phases.Run(command);
            if (exit == 0 && !phases.Antagonized)
            {
                _out.Say(reason);
                return status;
            }
            exit = exit != 0 ? exit : status;
        }
        else
        {
            var (workers, pinExit) = Start(_out.Order);
            if (workers == null) return pinExit;
            using (workers)
            {
                current = workers.Control;
                string stopReason = "stop requested";
                int? childStatus = null;
                long startTs = Stopwatch.GetTimestamp();
                if (pinExit == 0)
                {
                    workers.Control.Release();
                    (childStatus, stopReason) = RunUntilStop(workers.Control, command, shield, startTs, For(_out.Order, cpus.Length).Middle);
                }
                // The probe sees the antagonist's memory only if it reached steady state and no worker failed.
                var probe = _probe != null && workers.Control.SteadyTimestamp != 0 && !workers.Failed ? _probe : null;
                int order = _out.Order;
                int stopExit = workers.Stop(stopReason, startTs, results: true,
                    probe != null ? () => probe.Run(Label, order) : null,
                    probe != null && o.Probe!.AtRest ? () => probe.Run(ProbeRecords.RestLabel, order) : null);
                exit = stopExit != 0 ? stopExit
                    : pinExit != 0 ? pinExit
                    : childStatus is int status ? status
                    : command != null && _signal != 0 ? ExitCodes.ForSignal(_signal) // stopped before the command ran
                    : (int)ExitCode.Ok;
            }
        }
        GC.KeepAlive(ballast);
        return exit;
    }

    /// <summary>A heap array of <paramref name="bytes"/>, every page written so it is resident.</summary>
    private static byte[] Ballast(long bytes)
    {
        var b = GC.AllocateUninitializedArray<byte>(checked((int)bytes));
        for (int i = 0; i < b.Length; i += Environment.SystemPageSize) b[i] = 1;
        return b;
    }

    /// <summary>Waits for steady state, then for the command, the duration or a signal; returns the command's status (if it ran) and why the run stops.</summary>
    private (int? Status, string Reason) RunUntilStop(AntagonistControl control, WrappedCommand? command, OomShield shield, long startTs, int middle)
    {
        if (!SteadyState.Await(control, _out, middle, _out.Order, startTs))
            return (null, "stopped before steady state");
        if (command != null && !control.StopRequested)
            return command.Run(shield, control);
        if (command != null)
            return (null, "signal before the command started");
        if (_options.Duration is TimeSpan d)
            return (null, control.WaitForStop(d) ? "signal" : $"duration {d.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        return (null, control.WaitForStop(Timeout.InfiniteTimeSpan) ? "signal" : "");
    }
}
