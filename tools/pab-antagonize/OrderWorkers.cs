using System.Diagnostics;
using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// The workers of one order: a file and a pinned thread per CPU, started parked under --idle-first,
/// and at the end stopped, with the stop event and the order's results written.
/// </summary>
public sealed class OrderWorkers : IDisposable
{
    private readonly WorkerPool _pool;
    private readonly AntagonizeOptions _options;
    private readonly int _order;
    private readonly ModuleClient _controlClient;
    private readonly bool _original;
    private readonly RunOutput _out;

    private OrderWorkers(WorkerPool pool, AntagonistControl control, AntagonizeOptions options, int order, ModuleClient controlClient,
        bool original, RunOutput output)
    {
        _pool = pool;
        Control = control;
        _options = options;
        _order = order;
        _controlClient = controlClient;
        _original = original;
        _out = output;
    }

    public AntagonistControl Control { get; }

    /// <summary>Whether a worker has failed (its error ends the run).</summary>
    public bool Failed => _pool.Workers.Any(w => w.Error != null);

    /// <summary>
    /// Opens and starts the workers for <paramref name="order"/> and reports their pinning;
    /// the workers (null when they could not open) and 0, or the exit code of what failed.
    /// <paramref name="controlClient"/> is asked what the module still holds when they stop;
    /// <paramref name="original"/>: the module is the original, which has no info call.
    /// </summary>
    public static (OrderWorkers? Workers, int Exit) Start(AntagonizeOptions options, int order, int[] cpus, Topology topology, string procPath,
        ModuleClient controlClient, bool original, RunOutput output)
    {
        var o = options;
        var control = new AntagonistControl(cpus.Length, parked: o.IdleFirst);
        var settings = new WorkerSettings(order, o.Middle, o.Spread, o.Batch, o.Latencies, o.Samples, o.Seed)
        {
            Gfp = o.Gfp, Bulk = o.Bulk, FreeOn = o.FreeOn,
        };
        WorkerPool pool;
        try
        {
            pool = WorkerPool.Open(cpus, topology, settings, control, procPath, original);
        }
        catch (ModuleException e)
        {
            return (null, output.Fail(new Refusal(ExitCode.ModuleCallFailed, e.Message)));
        }
        var workers = new OrderWorkers(pool, control, options, order, controlClient, original, output);
        pool.Start(control, o.Nice);
        return (workers, workers.ReportPinning());
    }

    /// <summary>
    /// Stops the workers and writes the stop event (<paramref name="startTs"/>: when they were
    /// released, 0 if never) and, when <paramref name="results"/>, what they measured; 0, or the
    /// exit code of a worker's failure. <paramref name="whileHeld"/> runs once they have stopped
    /// allocating and before they free (the antagonized probe), <paramref name="afterFreed"/> once
    /// they have freed everything (the probe at rest); each returns 0 or an exit code.
    /// </summary>
    public int Stop(string reason, long startTs, bool results, Func<int>? whileHeld = null, Func<int>? afterFreed = null)
    {
        long stopTs = Stopwatch.GetTimestamp();
        int probeExit = 0;
        if (whileHeld != null) Control.HoldAtStop();
        Control.RequestStop();
        if (whileHeld != null)
        {
            _pool.WaitStopped();
            try { probeExit = whileHeld(); }
            finally { Control.LetFree(); }
        }
        _pool.Join();
        WriteStop(reason, startTs == 0 ? 0 : Stopwatch.GetElapsedTime(startTs, stopTs).TotalSeconds);
        if (!results) return probeExit;

        var o = _options;
        var (records, messages) = WorkerResults.Of([.. _pool.Workers.Select(w => w.Summary())],
            new ResultSettings(_order, Environment.SystemPageSize, Control.SteadyTimestamp, Stopwatch.Frequency, o.Latencies), _pool.Latencies);
        foreach (var r in records) _out.Write(r);
        foreach (var m in messages) _out.Say(m);
        if (_pool.Workers.FirstOrDefault(w => w.Error != null) is { } failed)
            return _out.Fail(failed.ErrorErrno == Native.EINVAL
                ? new Refusal(ExitCode.OrderRejected, failed.Error + " (the kernel rejected the order)")
                : new Refusal(ExitCode.ModuleCallFailed, failed.Error!));
        if (probeExit == 0 && afterFreed != null) probeExit = afterFreed();
        return probeExit;
    }

    public void Dispose() => _pool.Dispose();

    /// <summary>Where each worker may run, as the kernel reports it (the check the original's pinning bug would fail); the exit code of a failed pin, else 0.</summary>
    private int ReportPinning()
    {
        int exit = 0;
        for (int i = 0; i < _pool.Workers.Count; i++)
        {
            Worker w = _pool.Workers[i];
            if (_pool.PinError(i) is int err and not 0)
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

    /// <summary>The stop event: how long the run took and what the module still counted once every worker had freed its blocks.</summary>
    private void WriteStop(string reason, double runSeconds)
    {
        ulong leftover = _pool.CloseCountingLeftovers(_out.Say);
        // The module may be gone (unloaded under us): its pages are freed then, and what was
        // measured until then is still written.
        ulong? totalOutstanding = null;
        try { totalOutstanding = _original ? null : _controlClient.Info().TotalOutstanding; }
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
