using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Pab.Common;

namespace Pab.Antagonize;

public sealed record AntagonizeOptions(
    int Order, string? Cpus, int Middle, int Spread, int Batch, bool Latencies, int Samples,
    TimeSpan? Duration, ulong Seed, string[] Command, long? SelftestCount = null, bool NoHoldLimit = false);

/// <summary>Runs the antagonist: preflight, one pinned worker per CPU, the wrapped command, shutdown and records.</summary>
public sealed class Antagonist(AntagonizeOptions options, RecordWriter records, TextWriter log)
{
    public const string Tool = "pab-antagonize";
    public const string Label = "antagonized";
    private const string OomPath = "/proc/self/oom_score_adj";

    private readonly AntagonizeOptions _o = options;
    private readonly AntagonistControl _noControl = new(0);
    private AntagonistControl? _control;
    private volatile Process? _child;
    private volatile int _signal;

    public string SysRoot { get; init; } = "/sys";
    public string ProcRoot { get; init; } = "/proc";
    public string ProcPath { get; init; } = Abi.ProcPath;

    // Read once: the preflight needs MemTotal, the meta record all of it.
    private HostInfo? _host;
    private HostInfo Host => _host ??= HostInfo.Collect(ProcRoot, SysRoot);

    private int Fail(Refusal r)
    {
        log.WriteLine($"{Tool}: {r.Message}");
        records.Write(Event("error", r.Message));
        return (int)r.Code;
    }

    private Record Event(string name, string? message = null, int? cpu = null, Dictionary<string, double>? details = null) => new()
    {
        Type = RecordType.Event, Event = name, Message = message, Cpu = cpu, Details = details,
        Order = _o.Order, Label = Label,
    };

    private Record Metric(string name, long value, string unit, Dictionary<string, double>? details = null) => new()
    {
        Type = RecordType.Metric, Metric = name, Value = value, Unit = unit, Details = details,
        Order = _o.Order, Label = Label,
    };

    public int Run()
    {
        Topology topology;
        try
        {
            topology = Topology.Read(SysRoot);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(new Refusal(ExitCode.Error, "reading the CPU topology: " + e.Message));
        }
        if ((Preflight.ResolveCpus(_o.Cpus, topology, out int[] cpus)
             ?? Preflight.CheckRoot(Native.geteuid())
             ?? Preflight.CheckLoaded(ProcPath)
             ?? CheckHeldMemory(cpus.Length)) is { } refusal)
            return Fail(refusal);

        ModuleClient control;
        try
        {
            control = ModuleClient.Open(ProcPath);
        }
        catch (ModuleException e)
        {
            return Fail(e.Errno == Native.ENOENT
                ? Preflight.CheckLoaded("/nonexistent")!
                : new Refusal(ExitCode.ModuleCallFailed, e.Message));
        }
        using (control)
        {
            ModuleInfo info = control.Info();
            if (Preflight.CheckInfo(info, _o.Order) is { } bad) return Fail(bad);
            if (_o.SelftestCount is long count) return RunSelftest(cpus, topology, count);

            int probe = control.TryAllocPage(_o.Order, out PabAllocPage page);
            if (probe == 0) control.TryFreePage(page.Id, out _);
            if (Preflight.CheckProbe(probe, _o.Order) is { } rejected) return Fail(rejected);

            return RunWorkers(cpus, topology, info, control);
        }
    }

    private Refusal? CheckHeldMemory(int cpus)
    {
        bool selftest = _o.SelftestCount != null;
        var refusal = Preflight.CheckHeldMemory(_o.Order,
            selftest ? SelftestHold : _o.Middle + _o.Spread,
            selftest ? $"--middle {_o.Middle}" : $"--middle {_o.Middle} --spread {_o.Spread}",
            cpus, Environment.SystemPageSize, Host.MemTotalBytes, _o.NoHoldLimit, out string? warning);
        if (warning != null) log.WriteLine($"{Tool}: warning: {warning}");
        return refusal;
    }

    private int SelftestHold => Math.Clamp(_o.Middle, 1, Abi.BatchMax);

    private Record Meta(int[] cpus, string? moduleVersion)
    {
        var host = Host;
        host.ModuleVersion ??= moduleVersion;
        var opts = new Dictionary<string, string>
        {
            ["order"] = _o.Order.ToString(CultureInfo.InvariantCulture),
            ["cpus"] = CpuList.Format(cpus),
            ["middle"] = _o.Middle.ToString(CultureInfo.InvariantCulture),
            ["spread"] = _o.Spread.ToString(CultureInfo.InvariantCulture),
            ["batch"] = _o.Batch.ToString(CultureInfo.InvariantCulture),
            ["latencies"] = _o.Latencies ? "true" : "false",
            ["samples"] = _o.Samples.ToString(CultureInfo.InvariantCulture),
            ["seed"] = _o.Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (_o.Duration is TimeSpan d) opts["duration_s"] = d.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        if (_o.Command.Length > 0) opts["command"] = string.Join(' ', _o.Command);
        if (_o.SelftestCount is long n) opts["selftest"] = n.ToString(CultureInfo.InvariantCulture);
        return new Record { Type = RecordType.Meta, Host = host, Options = opts, Order = _o.Order, Label = Label };
    }

    private int RunWorkers(int[] cpus, Topology topology, ModuleInfo info, ModuleClient controlClient)
    {
        records.Write(Meta(cpus, info.ModuleVersion));
        var control = _control = new AntagonistControl(cpus.Length);
        var settings = new WorkerSettings(_o.Order, _o.Middle, _o.Spread, _o.Batch, _o.Latencies, _o.Samples, _o.Seed);

        string? originalOom = ProtectFromOomKiller();

        var clients = new List<ModuleClient>();
        var workers = new Worker[cpus.Length];
        var threads = new Thread[cpus.Length];
        var pinErrors = new int[cpus.Length];
        using var pinned = new CountdownEvent(cpus.Length);
        try
        {
            for (int i = 0; i < cpus.Length; i++)
            {
                var client = ModuleClient.Open(ProcPath);
                clients.Add(client);
                workers[i] = new Worker(cpus[i], topology.NodeOf(cpus[i]), new ModulePageSource(client, _o.Batch == 1, _o.Middle + _o.Spread), control, settings);
            }
        }
        catch (ModuleException e)
        {
            foreach (var c in clients) c.Dispose();
            return Fail(new Refusal(ExitCode.ModuleCallFailed, e.Message));
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => OnSignal(ctx, Native.SIGINT));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => OnSignal(ctx, Native.SIGTERM));

        long startTs = Stopwatch.GetTimestamp();
        for (int i = 0; i < cpus.Length; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                Worker w = workers[index];
                w.Tid = Native.gettid();
                pinErrors[index] = CpuAffinity.PinCurrentThread(w.Cpu);
                pinned.Signal();
                if (pinErrors[index] != 0)
                {
                    control.RequestStop();
                    return;
                }
                w.Run();
            })
            { Name = $"antagonist-cpu{cpus[i]}", IsBackground = true };
            threads[i].Start();
        }
        pinned.Wait();

        // Where each worker may run, as the kernel reports it (the check the original's pinning bug would fail).
        int exit = 0;
        for (int i = 0; i < cpus.Length; i++)
        {
            Worker w = workers[i];
            if (pinErrors[i] != 0)
            {
                exit = Fail(new Refusal(ExitCode.PinFailed,
                    $"pinning the worker for CPU {w.Cpu}: sched_setaffinity: {Native.ErrorText(pinErrors[i])}"));
                continue;
            }
            string allowed = CpuAffinity.AllowedListFromProc(w.Tid) ?? CpuList.Format(CpuAffinity.Allowed(w.Tid));
            records.Write(Event("pinned", $"worker for CPU {w.Cpu}: tid {w.Tid}, Cpus_allowed_list {allowed}", w.Cpu,
                new() { ["tid"] = w.Tid, ["node"] = w.Node, ["allowed_cpus_count"] = CpuList.Parse(allowed).Length }));
        }

        string stopReason = "stop requested";
        int? childStatus = null;
        if (exit == 0)
        {
            while (!control.AllReachedMiddle && !control.StopRequested)
                control.WaitForSteadyOrStop(TimeSpan.FromSeconds(1));
            if (control.AllReachedMiddle && !control.StopRequested)
            {
                long steadyTs = Stopwatch.GetTimestamp();
                control.DeclareSteady(steadyTs);
                records.Write(Event("steady", $"all {cpus.Length} workers held {_o.Middle} blocks of order {_o.Order} at least once", null,
                    new() { ["time_to_steady_s"] = Stopwatch.GetElapsedTime(startTs, steadyTs).TotalSeconds }));
                if (_o.Command.Length > 0 && !control.StopRequested)
                    (childStatus, stopReason) = RunCommand(originalOom);
                else if (_o.Command.Length > 0)
                    stopReason = "signal before the command started";
                else if (_o.Duration is TimeSpan d)
                    stopReason = control.WaitForStop(d) ? "signal" : $"duration {d.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
                else
                    stopReason = control.WaitForStop(Timeout.InfiniteTimeSpan) ? "signal" : "";
            }
            else
            {
                stopReason = "stopped before steady state";
            }
        }

        long stopTs = Stopwatch.GetTimestamp();
        control.RequestStop();
        foreach (var t in threads) t.Join();

        // Every worker freed what it held; the module agrees per file, then the files close.
        ulong leftover = 0;
        foreach (var c in clients)
        {
            try { leftover += c.Info().FileOutstanding; }
            catch (ModuleException e) { log.WriteLine($"{Tool}: info after stopping: {e.Message}"); }
            c.Dispose();
        }
        // The module may be gone (unloaded under us): its pages are freed then, and what was
        // measured until then is still written.
        ulong? totalOutstanding = null;
        try { totalOutstanding = controlClient.Info().TotalOutstanding; }
        catch (ModuleException e) { log.WriteLine($"{Tool}: the module no longer answers ({e.Message}); was it unloaded?"); }
        var stopDetails = new Dictionary<string, double>
        {
            ["run_time_s"] = Stopwatch.GetElapsedTime(startTs, stopTs).TotalSeconds,
            ["outstanding_blocks_after_free"] = leftover,
        };
        if (totalOutstanding is ulong total) stopDetails["module_total_outstanding_blocks"] = total;
        records.Write(Event("stop", stopReason, null, stopDetails));
        if (leftover != 0)
            log.WriteLine($"{Tool}: {leftover} blocks were still held after the workers freed theirs (closing the files freed them)");

        WriteResults(workers);

        string? workerError = workers.Select(w => w.Error).FirstOrDefault(e => e != null);
        if (workerError != null)
        {
            var w = workers.First(w => w.Error != null);
            return Fail(w.ErrorErrno == Native.EINVAL
                ? new Refusal(ExitCode.OrderRejected, workerError + " (the kernel rejected the order)")
                : new Refusal(ExitCode.ModuleCallFailed, workerError));
        }
        if (exit != 0) return exit;
        if (childStatus is int status) return status;
        if (_o.Command.Length > 0 && _signal != 0) return 128 + _signal; // stopped before the command ran
        return (int)ExitCode.Ok;
    }

    private void OnSignal(PosixSignalContext ctx, int signal)
    {
        ctx.Cancel = true;
        _signal = signal;
        if (_child is { } child)
        {
            // The command decides when the run ends; SIGINT from a terminal already reached it (same process group).
            if (signal == Native.SIGTERM)
                try { Native.kill(child.Id, signal); } catch (InvalidOperationException) { }
            return;
        }
        (_control ?? _noControl).RequestStop();
    }

    private (int Status, string Reason) RunCommand(string? originalOom)
    {
        var psi = new ProcessStartInfo(_o.Command[0]) { UseShellExecute = false };
        foreach (string arg in _o.Command.Skip(1)) psi.ArgumentList.Add(arg);
        psi.Environment[RunContext.LabelVariable] = Label;
        psi.Environment[RunContext.OrderVariable] = _o.Order.ToString(CultureInfo.InvariantCulture);
        psi.Environment[RunContext.RunIdVariable] = RunContext.RunId;

        // The child inherits oom_score_adj at fork: hand it the original value, then take -1000 back.
        if (originalOom != null) TryWrite(OomPath, originalOom);
        Process child;
        try
        {
            child = Process.Start(psi) ?? throw new Win32Exception("no process");
        }
        catch (Win32Exception e)
        {
            if (originalOom != null) TryWrite(OomPath, "-1000");
            string message = $"cannot start {_o.Command[0]}: {e.Message}";
            log.WriteLine($"{Tool}: {message}");
            records.Write(Event("error", message));
            return ((int)ExitCode.CommandNotStarted, message);
        }
        if (originalOom != null) TryWrite(OomPath, "-1000");
        _child = child;
        records.Write(Event("command", string.Join(' ', _o.Command), null, new() { ["pid"] = child.Id }));

        bool terminated = false;
        while (!child.WaitForExit(500))
        {
            if (_control!.StopRequested && !terminated)
            {
                // A worker failed: the command would no longer be measured antagonized.
                Native.kill(child.Id, Native.SIGTERM);
                terminated = true;
            }
        }
        child.WaitForExit();
        _child = null;
        int status = child.ExitCode;
        child.Dispose();
        return (status, $"command exited with status {status}");
    }

    /// <summary>Sets oom_score_adj to -1000 (needs CAP_SYS_RESOURCE); returns the value to give a child, or null if unchanged.</summary>
    private string? ProtectFromOomKiller()
    {
        string? original;
        try { original = File.ReadAllText(OomPath).Trim(); }
        catch (IOException) { return null; }
        if (TryWrite(OomPath, "-1000")) return original;
        log.WriteLine($"{Tool}: could not set oom_score_adj to -1000; the OOM killer may pick the antagonist");
        return null;
    }

    private static bool TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static readonly (string Name, double Q)[] Percentiles =
        [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p99_9", 0.999), ("max", 1.0)];

    private static Dictionary<string, double> PercentileDetails(LatencyHistogram h)
    {
        var d = new Dictionary<string, double>();
        foreach (var (name, q) in Percentiles) d[name + "_ns"] = h.Percentile(q);
        d["min_ns"] = h.Count == 0 ? 0 : h.Min;
        d["mean_ns"] = Math.Round(h.Mean, 1);
        d["operations_count"] = h.Count;
        d["histogram_relative_precision"] = LatencyHistogram.RelativePrecision;
        return d;
    }

    private void WriteResults(Worker[] workers)
    {
        long blockBytes = (long)Environment.SystemPageSize << _o.Order;
        double tick = Stopwatch.Frequency;
        long start = workers.Min(w => w.StartTimestamp), end = workers.Max(w => w.EndTimestamp);
        double runS = (end - start) / tick;
        long steadyTs = _control!.SteadyTimestamp;

        double heldAfter = 0, heldWhole = 0;
        foreach (var w in workers)
        {
            heldWhole += (w.HeldTicksBeforeSteady + w.HeldTicksAfterSteady) / Math.Max(1, w.EndTimestamp - w.StartTimestamp);
            if (steadyTs != 0 && w.EndTimestamp > steadyTs)
                heldAfter += w.HeldTicksAfterSteady / (w.EndTimestamp - steadyTs);
        }
        double heldAvg = steadyTs != 0 ? heldAfter : heldWhole;

        foreach (var w in workers)
        {
            double s = (w.EndTimestamp - w.StartTimestamp) / tick;
            records.Write(Event("worker", $"CPU {w.Cpu} (node {w.Node})", w.Cpu, new()
            {
                ["allocs_count"] = w.Allocs,
                ["frees_count"] = w.Frees,
                ["failures_count"] = w.Failures,
                ["remote_count"] = w.Remote,
                ["run_time_s"] = s,
                ["alloc_rate_pages_per_s"] = s > 0 ? w.Allocs / s : 0,
                ["peak_held_blocks"] = w.PeakHeld,
                ["tid"] = w.Tid,
            }));
        }

        long allocs = workers.Sum(w => w.Allocs);
        var common = new Dictionary<string, double> { ["run_time_s"] = runS, ["cpus_count"] = workers.Length };
        records.Write(Metric(Metrics.KernelPageAllocs, allocs, Units.Count, common));
        records.Write(Metric(Metrics.KernelAllocFailures, workers.Sum(w => w.Failures), Units.Count));
        records.Write(Metric(Metrics.KernelPageAllocsRemote, workers.Sum(w => w.Remote), Units.Count,
            new() { ["numa_nodes_count"] = workers.Select(w => w.Node).Distinct().Count() }));
        records.Write(Metric("kernel_page_frees", workers.Sum(w => w.Frees), Units.Count));
        double rate = runS > 0 ? allocs / runS : 0;
        records.Write(Metric("kernel_page_alloc_rate", (long)Math.Round(rate), "pages_per_s", new()
        {
            ["run_time_s"] = runS,
            ["per_cpu_pages_per_s"] = rate / workers.Length,
            ["page_bytes"] = blockBytes,
        }));
        records.Write(Metric(Metrics.KernelHeldBytes, (long)Math.Round(heldAvg * blockBytes), Units.Bytes, new()
        {
            ["window_steady_to_stop"] = steadyTs != 0 ? 1 : 0,
            ["whole_run_average_bytes"] = Math.Round(heldWhole * blockBytes),
            ["peak_sum_bytes"] = workers.Sum(w => (long)w.PeakHeld) * blockBytes,
        }));

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Tool}: order {_o.Order}, {workers.Length} CPUs: {allocs} allocations in {runS:0.00} s ({rate / workers.Length:0} pages/s per CPU), {workers.Sum(w => w.Failures)} failures, {workers.Sum(w => w.Remote)} remote"));
        if (!_o.Latencies) return;
        var allocAll = new LatencyHistogram();
        var freeAll = new LatencyHistogram();
        foreach (var w in workers)
        {
            allocAll.Add(w.AllocLatency);
            freeAll.Add(w.FreeLatency);
            foreach (var (metric, sample, hist) in new[]
                     {
                         (Metrics.KernelPageAllocLatenciesNs, w.AllocSample, w.AllocLatency),
                         (Metrics.KernelPageFreeLatenciesNs, w.FreeSample, w.FreeLatency),
                     })
            {
                records.Write(new Record
                {
                    Type = RecordType.Samples, Metric = metric, Cpu = w.Cpu, Unit = Units.Nanoseconds,
                    Values = sample.Sample.ToArray(), Population = sample.Seen, Details = PercentileDetails(hist),
                    Order = _o.Order, Label = Label,
                });
            }
        }
        foreach (var (kind, hist) in new[] { ("alloc", allocAll), ("free", freeAll) })
        {
            var details = PercentileDetails(hist);
            foreach (var (name, q) in Percentiles)
                records.Write(Metric($"kernel_page_{kind}_latency_{name}_ns", hist.Percentile(q), Units.Nanoseconds, new()
                {
                    ["operations_count"] = hist.Count,
                    ["histogram_relative_precision"] = LatencyHistogram.RelativePrecision,
                }));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Tool}: {kind} latency over {hist.Count} operations: p50 {details["p50_ns"]} ns, p90 {details["p90_ns"]} ns, p99 {details["p99_ns"]} ns, p99.9 {details["p99_9_ns"]} ns, max {details["max_ns"]} ns"));
        }
    }

    /// <summary>The module's in-kernel loop on every CPU at once, each thread pinned: the physical limit.</summary>
    private int RunSelftest(int[] cpus, Topology topology, long count)
    {
        records.Write(Meta(cpus, null));
        uint hold = (uint)SelftestHold;
        var results = new PabSelftest[cpus.Length];
        var errors = new string?[cpus.Length];
        var threads = new Thread[cpus.Length];
        for (int i = 0; i < cpus.Length; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                int err = CpuAffinity.PinCurrentThread(cpus[index]);
                if (err != 0)
                {
                    errors[index] = $"pinning to CPU {cpus[index]}: {Native.ErrorText(err)}";
                    return;
                }
                try
                {
                    using var client = ModuleClient.Open(ProcPath);
                    results[index] = client.Selftest(_o.Order, hold, (ulong)count);
                }
                catch (ModuleException e)
                {
                    errors[index] = e.Message;
                }
            })
            { Name = $"selftest-cpu{cpus[i]}" };
            threads[i].Start();
        }
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e != null) is { } error)
            return Fail(new Refusal(ExitCode.ModuleCallFailed, "selftest: " + error));

        double sumRate = 0;
        for (int i = 0; i < cpus.Length; i++)
        {
            var r = results[i];
            double rate = r.ElapsedNs > 0 ? r.Allocs * 1e9 / r.ElapsedNs : 0;
            sumRate += rate;
            records.Write(Event("selftest", $"CPU {cpus[i]} (node {topology.NodeOf(cpus[i])})", cpus[i], new()
            {
                ["allocs_count"] = r.Allocs,
                ["failures_count"] = r.Failures,
                ["elapsed_s"] = r.ElapsedNs / 1e9,
                ["alloc_rate_pages_per_s"] = rate,
                ["hold_blocks"] = hold,
            }));
        }
        records.Write(Metric("kernel_selftest_alloc_rate", (long)Math.Round(sumRate), "pages_per_s", new()
        {
            ["per_cpu_pages_per_s"] = sumRate / cpus.Length,
            ["cpus_count"] = cpus.Length,
            ["hold_blocks"] = hold,
        }));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Tool}: selftest order {_o.Order}, {cpus.Length} CPUs, hold {hold}: {sumRate / cpus.Length:0} pages/s per CPU"));
        return 0;
    }
}
