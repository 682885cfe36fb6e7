using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// One worker per CPU, each with its own open file of the module (its pages are the file's) and its
/// own thread, pinned before it allocates anything.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly List<ModuleClient> _clients;
    private readonly Thread[] _threads;
    private readonly int[] _pinErrors;
    private readonly ModulePageSource[]? _noInfoSources;

    private WorkerPool(List<ModuleClient> clients, Worker[] workers, ModulePageSource[]? noInfoSources, OrderLatencies latencies)
    {
        Latencies = latencies;
        _clients = clients;
        _noInfoSources = noInfoSources;
        Workers = workers;
        _threads = new Thread[workers.Length];
        _pinErrors = new int[workers.Length];
    }

    public IReadOnlyList<Worker> Workers { get; }

    /// <summary>
    /// A worker's stack: its loop needs little. The default (8 MiB, the stack ulimit) holds whole
    /// 2 MiB-aligned ranges, which transparent huge pages fill at once as the stack first reaches one:
    /// 2 MiB of our own memory per CPU now and then. A stack smaller than 2 MiB holds none.
    /// </summary>
    public const int StackBytes = 256 * 1024;
    /// <summary>What the workers record latencies into together.</summary>
    public OrderLatencies Latencies { get; }

    /// <summary>
    /// Opens a file per CPU and makes its worker; throws <see cref="ModuleException"/>, with what it opened closed.
    /// <paramref name="noInfoCall"/>: the module (the original) cannot count what a file holds, so the workers' own ids are counted.
    /// </summary>
    public static WorkerPool Open(int[] cpus, Topology topology, WorkerSettings settings, AntagonistControl control, string procPath,
        bool noInfoCall = false)
    {
        var clients = new List<ModuleClient>();
        var workers = new Worker[cpus.Length];
        var sources = new ModulePageSource[cpus.Length];
        var latencies = new OrderLatencies(settings.Latencies ? settings.Samples : 0, settings.Seed);
        try
        {
            for (int i = 0; i < cpus.Length; i++)
            {
                var client = ModuleClient.Open(procPath);
                clients.Add(client);
                var source = sources[i] = new ModulePageSource(client, settings.Batch == 1, settings.Middle + settings.Spread)
                {
                    Gfp = settings.Gfp, Bulk = settings.Bulk,
                };
                workers[i] = new Worker(cpus[i], topology.NodeOf(cpus[i]), source, control, settings, latencies);
            }
        }
        catch (ModuleException)
        {
            foreach (var c in clients) c.Dispose();
            throw;
        }
        // --free-on other: worker i's blocks are freed by worker i + 1 (the last's by the first), reading i's queue.
        if (settings.FreeOn == FreeOn.Other && workers.Length > 1)
            for (int i = 0; i < workers.Length; i++)
                workers[i].PairWith(workers[AllocModes.PartnerOf(i, workers.Length)], workers[(i + workers.Length - 1) % workers.Length]);
        return new WorkerPool(clients, workers, noInfoCall ? sources : null, latencies);
    }

    /// <summary>
    /// Starts every worker's thread, which pins itself to the worker's CPU first (a failed pin stops
    /// the run); returns once each has pinned or failed to.
    /// </summary>
    public void Start(AntagonistControl control, int nice = 0)
    {
        using var pinned = new CountdownEvent(Workers.Count);
        for (int i = 0; i < Workers.Count; i++)
        {
            int index = i;
            Worker w = Workers[i];
            _threads[i] = new Thread(() =>
            {
                w.Tid = Native.gettid();
                _pinErrors[index] = CpuAffinity.PinCurrentThread(w.Cpu);
                // Raising one's own niceness needs no privilege; if it fails the worker competes as an equal.
                if (nice != 0) Native.setpriority(0, w.Tid, nice);
                pinned.Signal();
                if (_pinErrors[index] != 0)
                {
                    w.NeverRan();
                    control.RequestStop();
                    return;
                }
                w.Run();
            }, StackBytes)
            { Name = $"antagonist-cpu{w.Cpu}", IsBackground = true };
            _threads[i].Start();
        }
        pinned.Wait();
    }

    /// <summary>The errno of worker <paramref name="index"/>'s sched_setaffinity; 0 when it is pinned.</summary>
    public int PinError(int index) => _pinErrors[index];

    /// <summary>Waits until every worker has stopped allocating (it then holds its blocks, if asked to) or ended.</summary>
    public void WaitStopped()
    {
        for (int i = 0; i < Workers.Count; i++)
            while (!Workers[i].AtGate && _threads[i]?.IsAlive == true) Thread.Sleep(2);
    }

    /// <summary>Waits for every worker to have freed what it held and ended.</summary>
    public void Join()
    {
        foreach (var t in _threads) t?.Join();
    }

    /// <summary>
    /// Closes the files, first asking the module how many blocks each still counts (0 when every
    /// worker freed its own; closing frees the rest). Returns that sum.
    /// </summary>
    public ulong CloseCountingLeftovers(Action<string> say)
    {
        ulong leftover = 0;
        if (_noInfoSources != null)
            foreach (var s in _noInfoSources)
            {
                leftover += (ulong)s.Held;
                s.FreeHeld();
            }
        foreach (var c in _clients)
        {
            if (_noInfoSources != null) { c.Dispose(); continue; }
            try { leftover += c.Info().FileOutstanding; }
            catch (ModuleException e) { say($"info after stopping: {e.Message}"); }
            c.Dispose();
        }
        _clients.Clear();
        return leftover;
    }

    public void Dispose()
    {
        foreach (var c in _clients) c.Dispose();
        _clients.Clear();
    }
}
