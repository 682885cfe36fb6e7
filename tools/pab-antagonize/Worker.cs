using System.Diagnostics;
using Pab.Common;

namespace Pab.Antagonize;

public sealed record WorkerSettings(
    int Order, int Middle, int Spread, int Batch, bool Latencies, int Samples, ulong Seed);

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
        _allocDraws = new SplitMix64(SplitMix64.Derive(settings.Seed ^ 0xA110C, cpu));
        _freeDraws = new SplitMix64(SplitMix64.Derive(settings.Seed ^ 0xF4EE, cpu));
    }

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
        while (!_control.StopRequested && Error == null)
        {
            int target = _pattern.Next();
            while (Held != target && !_control.StopRequested && Error == null)
            {
                if (Held < target) AllocStep(target);
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
        long paused = _lastTimestamp - pausedAt;
        while (Held > 0)
        {
            FreeStep(0);
            if (Error != null) break; // closing the file frees the rest
        }
        EndTimestamp = Stopwatch.GetTimestamp() - paused;
    }

    /// <summary>Stopped allocating: from here on it only frees (after any hold at stop).</summary>
    public bool AtGate { get => _atGate; private set => _atGate = value; }
    private volatile bool _atGate;

    private void AllocStep(int target)
    {
        int n = Math.Min(_settings.Batch, target - Held);
        if (Held < _settings.Middle) n = Math.Min(n, _settings.Middle - Held); // stop exactly at the middle
        Span<PabBatchEntry> batch = _entries.AsSpan(0, n);
        int err = _source.Alloc(_settings.Order, batch, out int done);
        Integrate(Stopwatch.GetTimestamp());
        batch = batch[..done];
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
        int err = _source.FreeOldest(_settings.Order, batch, out int done);
        Integrate(Stopwatch.GetTimestamp());
        if (_settings.Latencies)
        {
            FreeLatency.Record(batch[..done]);
            Shared.FreeSample.Add(batch[..done], ref _freeDraws);
        }
        Held -= done;
        Frees += done;
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
        StartTimestamp, EndTimestamp, _held, AllocLatency, FreeLatency);

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
