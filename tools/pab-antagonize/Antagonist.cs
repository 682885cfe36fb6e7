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
    private readonly RunOutput _out = new(records, log, options.Order);
    private volatile int _signal;

    public string SysRoot { get; init; } = "/sys";
    public string ProcRoot { get; init; } = "/proc";
    public string ProcPath { get; init; } = Abi.ProcPath;

    // Read once: the preflight needs MemTotal, the meta record all of it.
    private HostInfo? _host;
    private HostInfo Host => _host ??= HostInfo.Collect(ProcRoot, SysRoot);

    public int Run()
    {
        Topology topology;
        try
        {
            topology = Topology.Read(SysRoot);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return _out.Fail(new Refusal(ExitCode.Error, "reading the CPU topology: " + e.Message));
        }
        if ((Preflight.ResolveCpus(_options.Cpus, topology, out int[] cpus)
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
            if (ModuleCheck.Check(ProcPath, ProcRoot, control, _options, out _module) is { } bad) return _out.Fail(bad);
            string? notice = _module.IsOriginal ? ModuleCheck.Notice(_options) : null;
            if (notice != null)
            {
                _out.Say(notice);
                _options = _options with { Batch = 1 };
            }
            Host.ModuleAbi = _module.IsOriginal ? HostInfo.OriginalModuleAbi : _module.Info!.Value.AbiVersion.ToString(CultureInfo.InvariantCulture);
            if (_options.SelftestCount is long count)
            {
                _out.Write(AntagonistRecords.Meta(_options, cpus, Host));
                return new Selftest(_options.Order, (uint)_options.SelftestHold, (ulong)count, ProcPath, _out).Run(cpus, topology);
            }

            int probe = control.TryAllocPage(_options.Order, out PabAllocPage page);
            if (probe == 0) control.TryFreePage(page.Id, out _);
            if (Preflight.CheckProbe(probe, _options.Order) is { } rejected) return _out.Fail(rejected);

            Host.ModuleVersion ??= _module.Info?.ModuleVersion;
            _out.Write(AntagonistRecords.Meta(_options, cpus, Host));
            if (notice != null) _out.Event("original_module", notice);
            return RunWorkers(cpus, topology, control);
        }
    }

    private Refusal? CheckHeldMemory(int cpus)
    {
        bool selftest = _options.SelftestCount != null;
        var refusal = Preflight.CheckHeldMemory(_options.Order,
            selftest ? _options.SelftestHold : _options.Middle + _options.Spread,
            selftest ? $"--middle {_options.Middle}" : $"--middle {_options.Middle} --spread {_options.Spread}",
            cpus, Environment.SystemPageSize, Host.MemTotalBytes, _options.NoHoldLimit, out string? warning);
        if (warning != null) _out.Say($"warning: {warning}");
        return refusal;
    }

    private int RunWorkers(int[] cpus, Topology topology, ModuleClient controlClient)
    {
        var o = _options;
        var control = new AntagonistControl(cpus.Length, parked: o.IdleFirst);
        var settings = new WorkerSettings(o.Order, o.Middle, o.Spread, o.Batch, o.Latencies, o.Samples, o.Seed);
        var shield = OomShield.Raise(_out.Say);
        // Test-only: memory of our own that must not show in what is measured.
        byte[]? ballast = o.BallastBytes > 0 ? Ballast(o.BallastBytes) : null;

        WorkerPool pool;
        try
        {
            pool = WorkerPool.Open(cpus, topology, settings, control, ProcPath, _module.IsOriginal);
        }
        catch (ModuleException e)
        {
            return _out.Fail(new Refusal(ExitCode.ModuleCallFailed, e.Message));
        }
        using (pool)
        {
            using var link = o.IdleFirst ? new PhaseLink.AntagonistEnd() : null;
            var command = o.Command.Length > 0 ? new WrappedCommand(o.Command, o.Order, _out) { Link = link } : null;
            void OnSignal(PosixSignalContext ctx, int signal)
            {
                ctx.Cancel = true;
                _signal = signal;
                if (command?.OnSignal(signal) != true) control.RequestStop();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => OnSignal(ctx, Native.SIGINT));
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => OnSignal(ctx, Native.SIGTERM));

            // --idle-first: the command starts (a .NET start takes seconds) while the workers are set up.
            string? startError = link != null ? command!.Start(shield, IdleLabel) : null;
            HotPaths.Prepare(); // meanwhile: the loop compiled before any phase is measured
            pool.Start(control, o.Nice);
            int exit = startError != null ? (int)ExitCode.CommandNotStarted : ReportPinning(pool);

            string stopReason = startError ?? "stop requested";
            int? childStatus = null;
            long startTs = Stopwatch.GetTimestamp();
            IdleFirst? idleFirst = null;
            if (exit == 0 && link != null)
            {
                idleFirst = new IdleFirst(link, control, _out, o.Middle, o.Order);
                (childStatus, stopReason) = idleFirst.Run(command!);
                startTs = idleFirst.ReleaseTimestamp;
            }
            else if (exit == 0)
            {
                control.Release();
                (childStatus, stopReason) = RunUntilStop(control, command, shield, startTs);
            }
            else if (command?.Started == true)
            {
                control.RequestStop(); // the command is told to end, and waited for
                command.Wait(control);
            }

            long stopTs = Stopwatch.GetTimestamp();
            control.RequestStop();
            pool.Join();
            WriteStop(pool, controlClient, stopReason, startTs == 0 ? 0 : Stopwatch.GetElapsedTime(startTs, stopTs).TotalSeconds);
            if (idleFirst is { Antagonized: false })
            {
                _out.Say(stopReason);
                return childStatus ?? (int)ExitCode.Error;
            }

            var (results, messages) = WorkerResults.Of([.. pool.Workers.Select(w => w.Summary())],
                new ResultSettings(o.Order, Environment.SystemPageSize, control.SteadyTimestamp, Stopwatch.Frequency, o.Latencies));
            foreach (var r in results) _out.Write(r);
            foreach (var m in messages) _out.Say(m);

            if (pool.Workers.FirstOrDefault(w => w.Error != null) is { } failed)
                return _out.Fail(failed.ErrorErrno == Native.EINVAL
                    ? new Refusal(ExitCode.OrderRejected, failed.Error + " (the kernel rejected the order)")
                    : new Refusal(ExitCode.ModuleCallFailed, failed.Error!));
            GC.KeepAlive(ballast);
            if (exit != 0) return exit;
            if (childStatus is int status) return status;
            if (command != null && _signal != 0) return 128 + _signal; // stopped before the command ran
            return (int)ExitCode.Ok;
        }
    }

    /// <summary>Adds the thread's niceness as the kernel has it (field 19 of its stat), read back like its affinity, when readable.</summary>
    private static Dictionary<string, double> WithNice(Dictionary<string, double> details, int tid)
    {
        try
        {
            string[] f = ProcStat.FieldsAfterName(File.ReadAllText($"/proc/self/task/{tid}/stat"));
            if (f.Length > 16 && int.TryParse(f[16], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int nice))
                details["nice"] = nice;
        }
        catch (IOException) { }
        return details;
    }

    /// <summary>A heap array of <paramref name="bytes"/>, every page written so it is resident.</summary>
    private static byte[] Ballast(long bytes)
    {
        var b = GC.AllocateUninitializedArray<byte>(checked((int)bytes));
        for (int i = 0; i < b.Length; i += Environment.SystemPageSize) b[i] = 1;
        return b;
    }

    /// <summary>Where each worker may run, as the kernel reports it (the check the original's pinning bug would fail); the exit code of a failed pin, else 0.</summary>
    private int ReportPinning(WorkerPool pool)
    {
        int exit = 0;
        for (int i = 0; i < pool.Workers.Count; i++)
        {
            Worker w = pool.Workers[i];
            if (pool.PinError(i) is int err and not 0)
            {
                exit = _out.Fail(new Refusal(ExitCode.PinFailed,
                    $"pinning the worker for CPU {w.Cpu}: sched_setaffinity: {Native.ErrorText(err)}"));
                continue;
            }
            string allowed = CpuAffinity.AllowedListFromProc(w.Tid) ?? CpuList.Format(CpuAffinity.Allowed(w.Tid));
            _out.Event("pinned", $"worker for CPU {w.Cpu}: tid {w.Tid}, Cpus_allowed_list {allowed}", w.Cpu,
                WithNice(new() { ["tid"] = w.Tid, ["node"] = w.Node, ["allowed_cpus_count"] = CpuList.Parse(allowed).Length }, w.Tid));
        }
        return exit;
    }

    /// <summary>Waits for steady state, then for the command, the duration or a signal; returns the command's status (if it ran) and why the run stops.</summary>
    private (int? Status, string Reason) RunUntilStop(AntagonistControl control, WrappedCommand? command, OomShield shield, long startTs)
    {
        if (!SteadyState.Await(control, _out, _options.Middle, _options.Order, startTs))
            return (null, "stopped before steady state");
        if (command != null && !control.StopRequested)
            return command.Run(shield, control);
        if (command != null)
            return (null, "signal before the command started");
        if (_options.Duration is TimeSpan d)
            return (null, control.WaitForStop(d) ? "signal" : $"duration {d.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        return (null, control.WaitForStop(Timeout.InfiniteTimeSpan) ? "signal" : "");
    }

    /// <summary>The stop event: how long the run took and what the module still counted once every worker had freed its blocks.</summary>
    private void WriteStop(WorkerPool pool, ModuleClient controlClient, string reason, double runSeconds)
    {
        ulong leftover = pool.CloseCountingLeftovers(_out.Say);
        // The module may be gone (unloaded under us): its pages are freed then, and what was
        // measured until then is still written.
        ulong? totalOutstanding = null;
        try { totalOutstanding = _module.IsOriginal ? null : controlClient.Info().TotalOutstanding; }
        catch (ModuleException e) { _out.Say($"the module no longer answers ({e.Message}); was it unloaded?"); }
        var details = new Dictionary<string, double>
        {
            ["run_time_s"] = runSeconds,
            ["outstanding_blocks_after_free"] = leftover,
        };
        if (totalOutstanding is ulong total) details["module_total_outstanding_blocks"] = total;
        _out.Event("stop", reason, null, details);
        if (leftover != 0)
            _out.Say($"{leftover} blocks were still held after the workers freed theirs (closing the files freed them)");
    }
}
