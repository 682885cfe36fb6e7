using System.Diagnostics;
using Pab.Common;

namespace Pab.Antagonize;

public sealed record WorkerSettings(
    int Order, int Middle, int Spread, int Batch, bool Latencies, int Samples, ulong Seed)
{
    /// <summary>GFP mode (Abi.Gfp*): the page source's; recorded here for the worker's records.</summary>
    public uint Gfp { get; init; } = Abi.GfpKernel;
    /// <summary>Pages per alloc_pages_bulk() call; 0: none. The worker splits each call's latency over its pages.</summary>
    public int Bulk { get; init; }
    public FreeOn FreeOn { get; init; } = FreeOn.Same;
}

/// <summary>
/// One CPU's antagonist: alternately allocates up to a target and frees down to one, oldest block first,
/// through its own page source (which keeps the blocks in order: the worker only counts them). Everything
/// it needs is allocated in the constructor so the loop never allocates (no GC while it runs). Not thread-safe: one thread runs it, others read results after it ends.
/// </summary>
public sealed class Worker
{
    private readonly IPageSource _source;
    private readonly AntagonistControl _control;
    private readonly WorkerSettings _settings;
    private readonly PabBatchEntry[] _entries; // pinned: the module reads and writes them
    private TargetPattern _pattern;
    private long _lastTimestamp;
    private HeldIntegral _held;
    private int _backoffMs;

    /// <summary>Longest pause between retries after ENOMEM.</summary>
    public const int MaxBackoffMs = 64;

    /// <param name="shared">What the order's workers record latencies into together; null: a set of its own.</param>
    public Worker(int cpu, int node, IPageSource source, AntagonistControl control, WorkerSettings settings, OrderLatencies? shared = null)
    {
        Cpu = cpu;
        Node = node;
        _source = source;
        _control = control;
        _settings = settings;
        _pattern = new TargetPattern(SplitMix64.Derive(settings.Seed, cpu), settings.Middle, settings.Spread);
        _entries = GC.AllocateArray<PabBatchEntry>(settings.Batch, pinned: true);
        Shared = shared ?? new OrderLatencies(settings.Latencies ? settings.Samples : 0, settings.Seed);
        AllocLatency = new LatencyRecorder(Shared.AllocSlow);
        FreeLatency = new LatencyRecorder(Shared.FreeSlow);
        if (settings.Bulk > 0) BulkCallLatency = new LatencyRecorder(Shared.BulkCallSlow);
        _allocDraws = new SplitMix64(SplitMix64.Derive(settings.Seed ^ 0xA110C, cpu));
        _freeDraws = new SplitMix64(SplitMix64.Derive(settings.Seed ^ 0xF4EE, cpu));
    }

    // --free-on other: blocks the predecessor asked this worker to free from its queue, not yet freed
    // (added by the predecessor, taken by this worker: the handoff), and whether the predecessor is done
    // allocating (so this worker's drain knows when its queue is empty for good).
    private long _requests;
    private volatile bool _allocDone;
    private Worker? _freer;
    private Worker? _predecessor;
    private long _handoffTicks, _handoffWaitTicks, _allocCallTicks, _freeCallTicks, _allocNs, _freeNs, _bulkCalls;

    /// <summary>
    /// --free-on other: this worker's blocks are freed by <paramref name="freer"/>, on its CPU, and this worker
    /// frees <paramref name="predecessor"/>'s (whose queue its page source reads). Set before the threads start.
    /// </summary>
    public void PairWith(Worker freer, Worker predecessor)
    {
        _freer = freer;
        _predecessor = predecessor;
    }

    /// <summary>The worker never ran (its pin failed): the one that frees its blocks must not wait for it.</summary>
    public void NeverRan() => _allocDone = true;

    /// <summary>
    /// Most blocks this worker's freer may owe it before it waits: the handoff's lag, bounded by the middle
    /// hold (at least two batches), so held memory stays within 1.5 times the pattern's peak even when the
    /// freer's CPU stalls. A tighter bound (two batches) coupled the CPUs: on a loaded host each waited
    /// twice as long as it worked whenever the other's vCPU was descheduled (docs/benchmarks.md).
    /// </summary>
    private int HandoffLimit => Math.Max(2 * _settings.Batch, _settings.Middle);

    // This worker's draws into the shared samples.
    private SplitMix64 _allocDraws, _freeDraws;

    public int Cpu { get; }
    public int Node { get; }
    public int Held { get; private set; }
    public int PeakHeld { get; private set; }
    public long Allocs { get; private set; }
    public long Frees { get; private set; }
    public long Failures { get; private set; }
    public long Remote { get; private set; }
    public bool ReachedMiddle { get; private set; }
    public long StartTimestamp { get; private set; }
    public long EndTimestamp { get; private set; }
    /// <summary>Held blocks integrated over Stopwatch ticks, before and after steady state was declared.</summary>
    public HeldIntegral HeldTicks => _held;
    public LatencyRecorder AllocLatency { get; }
    public LatencyRecorder FreeLatency { get; }
    /// <summary>--bulk: whole alloc_pages_bulk() calls' latencies; null otherwise.</summary>
    public LatencyRecorder? BulkCallLatency { get; }
    public OrderLatencies Shared { get; }
    public Reservoir AllocSample => Shared.AllocSample;
    public Reservoir FreeSample => Shared.FreeSample;
    /// <summary>Set when a call failed in a way retrying cannot fix; the worker then stops everyone.</summary>
    public string? Error { get; private set; }
    public int ErrorErrno { get; private set; }
    /// <summary>Thread id of the thread that ran the worker (for reading its affinity back).</summary>
    public int Tid { get; set; }

    /// <summary>Runs until the control asks to stop, then frees every page it holds.</summary>
    public void Run()
    {
        _control.WaitForRelease();
        StartTimestamp = _lastTimestamp = Stopwatch.GetTimestamp();
        bool other = _freer != null;
        long paused = 0;
        try
        {
            while (!_control.StopRequested && Error == null)
            {
                int target = _pattern.Next();
                while (Held != target && !_control.StopRequested && Error == null)
                {
                    if (other) ServeRequests();
                    if (Held < target) AllocStep(target);
                    else if (other) HandOff(target);
                    else FreeStep(target);
                }
            }
            if (Error != null) _control.RequestStop();
            // Held for a probe of the memory as we leave it (HoldAtStop); the wait counts in no figure of ours.
            long pausedAt = Stopwatch.GetTimestamp();
            Integrate(pausedAt);
            AtGate = true;
            _control.WaitToFree();
            _lastTimestamp = Stopwatch.GetTimestamp();
            paused = _lastTimestamp - pausedAt;
            if (other)
            {
                Drain();
            }
            else
            {
                while (Held > 0)
                {
                    FreeStep(0);
                    if (Error != null) break; // closing the file frees the rest
                }
            }
        }
        finally
        {
            _allocDone = true;
        }
        EndTimestamp = Stopwatch.GetTimestamp() - paused;
    }

    /// <summary>Stopped allocating: from here on it only frees (after any hold at stop).</summary>
    public bool AtGate { get => _atGate; private set => _atGate = value; }
    private volatile bool _atGate;

    /// <summary>
    /// --free-on other, at the end: asks the freer to free whatever this worker still holds, then frees what
    /// the predecessor asked for until it is done too; every block is still freed on its partner's CPU.
    /// </summary>
    private void Drain()
    {
        Interlocked.Add(ref _freer!._requests, Held);
        Held = 0;
        _allocDone = true;
        while (Error == null)
        {
            bool predecessorDone = _predecessor!._allocDone; // read first: its requests came before it was done
            if (!ServeRequests())
            {
                if (predecessorDone) break;
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>
    /// --free-on other: this worker's free step. The blocks to free are the oldest of its queue; it asks its
    /// freer for them (one atomic add: the handoff) and waits, serving its own requests meanwhile, only while
    /// the freer owes it more than <see cref="HandoffLimit"/>.
    /// </summary>
    private void HandOff(int target)
    {
        long start = Stopwatch.GetTimestamp();
        int n = Math.Min(_settings.Batch, Held - target);
        if (Held > _settings.Middle && target < _settings.Middle) n = Math.Min(n, Held - _settings.Middle);
        Interlocked.Add(ref _freer!._requests, n);
        Held -= n;
        long now = Stopwatch.GetTimestamp();
        _handoffTicks += now - start;
        if (Volatile.Read(ref _freer._requests) > HandoffLimit)
        {
            // Timed as a whole, not per turn: a clock read can cost more than a turn (the guest's HPET).
            long freeCallsBefore = _freeCallTicks;
            while (Volatile.Read(ref _freer._requests) > HandoffLimit && !_control.StopRequested && Error == null)
                if (!ServeRequests()) Thread.Yield();
            long after = Stopwatch.GetTimestamp();
            // The frees served meanwhile are this worker's own work, counted as its free calls.
            _handoffWaitTicks += after - now - (_freeCallTicks - freeCallsBefore);
            now = after;
        }
        Integrate(now);
        CheckMiddle();
    }

    /// <summary>--free-on other: frees what the predecessor asked for, from its queue; whether there was anything.</summary>
    private bool ServeRequests()
    {
        if (Volatile.Read(ref _requests) == 0) return false;
        // One atomic exchange, not timed: two clock reads would cost more than it.
        long owed = Interlocked.Exchange(ref _requests, 0);
        while (owed > 0 && Error == null)
        {
            int n = (int)Math.Min(_settings.Batch, owed);
            Span<PabBatchEntry> batch = _entries.AsSpan(0, n);
            long callStart = Stopwatch.GetTimestamp();
            int err = _predecessor!._source.FreeOldest(_settings.Order, batch, out int done);
            _freeCallTicks += Stopwatch.GetTimestamp() - callStart;
            RecordFrees(batch[..done]);
            owed -= done;
            if (err != 0) Fail("free (of CPU " + _predecessor.Cpu + "'s blocks)", err);
        }
        return true;
    }

    private void RecordFrees(Span<PabBatchEntry> freed)
    {
        if (_settings.Latencies)
        {
            FreeLatency.Record(freed);
            Shared.FreeSample.Add(freed, ref _freeDraws);
        }
        foreach (ref readonly PabBatchEntry e in freed) _freeNs += e.LatencyNs;
        Frees += freed.Length;
    }

    /// <summary>
    /// --bulk: each call's latency, on its first entry (calls begin every Bulk entries), becomes its own
    /// record and is split over its pages, so the per-page latencies stay comparable with alloc_pages()'s.
    /// </summary>
    private void SplitBulkCalls(Span<PabBatchEntry> batch)
    {
        int bulk = _settings.Bulk;
        Span<PabBatchEntry> call = stackalloc PabBatchEntry[1];
        for (int start = 0; start < batch.Length; start += bulk)
        {
            int pages = Math.Min(bulk, batch.Length - start);
            long ns = batch[start].LatencyNs;
            call[0] = new PabBatchEntry { LatencyNs = ns };
            if (_settings.Latencies) BulkCallLatency!.Record(call);
            _bulkCalls++;
            long each = ns / pages, rest = ns % pages;
            for (int k = 0; k < pages; k++) batch[start + k].LatencyNs = each + (k < rest ? 1 : 0);
        }
    }

    private void AllocStep(int target)
    {
        int n = Math.Min(_settings.Batch, target - Held);
        if (Held < _settings.Middle) n = Math.Min(n, _settings.Middle - Held); // stop exactly at the middle
        Span<PabBatchEntry> batch = _entries.AsSpan(0, n);
        long callStart = Stopwatch.GetTimestamp();
        int err = _source.Alloc(_settings.Order, batch, out int done);
        long now = Stopwatch.GetTimestamp();
        _allocCallTicks += now - callStart;
        Integrate(now);
        batch = batch[..done];
        foreach (ref readonly PabBatchEntry e in batch) _allocNs += e.LatencyNs;
        if (_settings.Bulk > 0) SplitBulkCalls(batch);
        int node = Node;
        foreach (ref readonly PabBatchEntry e in batch)
            if (e.Nid != node) Remote++;
        if (_settings.Latencies)
        {
            AllocLatency.Record(batch);
            Shared.AllocSample.Add(batch, ref _allocDraws);
        }
        Held += done;
        Allocs += done;
        if (Held > PeakHeld) PeakHeld = Held;
        CheckMiddle();
        if (err == 0)
        {
            _backoffMs = 0;
        }
        else if (err == Native.ENOMEM)
        {
            Failures++;
            Backoff();
        }
        else
        {
            Fail("alloc", err);
        }
    }

    private void FreeStep(int target)
    {
        int n = Math.Min(_settings.Batch, Held - target);
        if (Held > _settings.Middle && target < _settings.Middle) n = Math.Min(n, Held - _settings.Middle);
        Span<PabBatchEntry> batch = _entries.AsSpan(0, n);
        long callStart = Stopwatch.GetTimestamp();
        int err = _source.FreeOldest(_settings.Order, batch, out int done);
        long now = Stopwatch.GetTimestamp();
        _freeCallTicks += now - callStart;
        Integrate(now);
        RecordFrees(batch[..done]);
        Held -= done;
        CheckMiddle();
        if (err != 0) Fail("free", err);
    }

    private void CheckMiddle()
    {
        if (Held == _settings.Middle && !ReachedMiddle)
        {
            ReachedMiddle = true;
            _control.ReachedMiddle();
        }
    }

    private void Integrate(long now)
    {
        _held.Add(Held, _lastTimestamp, now, _control.SteadyTimestamp);
        _lastTimestamp = now;
    }

    /// <summary>What the worker did, for <see cref="WorkerResults"/>; read after it ended.</summary>
    public WorkerSummary Summary() => new(Cpu, Node, Tid, Allocs, Frees, Failures, Remote, PeakHeld,
        StartTimestamp, EndTimestamp, _held, AllocLatency, FreeLatency)
    {
        Costs = new WorkerCosts(_allocCallTicks, _freeCallTicks, _handoffTicks, _allocNs, _freeNs, _bulkCalls) { HandoffWaitTicks = _handoffWaitTicks },
        BulkCallLatency = BulkCallLatency,
    };

    /// <summary>Exponential backoff after ENOMEM: 1, 2, 4 … 64 ms, cut short by a stop.</summary>
    private void Backoff()
    {
        _backoffMs = _backoffMs == 0 ? 1 : Math.Min(_backoffMs * 2, MaxBackoffMs);
        for (int slept = 0; slept < _backoffMs && !_control.StopRequested; slept++)
            Thread.Sleep(1);
    }

    private void Fail(string operation, int errno)
    {
        ErrorErrno = errno;
        Error = $"CPU {Cpu}: {operation} of order {_settings.Order}: {Native.ErrorText(errno)} (errno {errno})";
    }
}
