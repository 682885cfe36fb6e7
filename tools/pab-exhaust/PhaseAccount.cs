using System.Diagnostics;
using Pab.Common;
using Pab.Common.Kernel;

namespace Pab.Exhaust;

/// <summary>
/// The kernel's account of one phase: free lists at its start and end, and every /proc/vmstat counter
/// that moved over it, with the phase's duration and the bytes its fills took (docs/record-format.md).
/// Disabled (--no-kernel-account), it reads and writes nothing.
/// </summary>
public sealed class PhaseAccount(RecordWriter writer, TextWriter log, bool enabled = true, bool traceByDefault = false)
{
    private static readonly long PageSize = Environment.SystemPageSize;
    private Dictionary<string, long>? _vmstatStart;
    private long _startTicks;
    private long _filled;
    private bool _saidNoVmstat, _saidNoFreeLists, _saidBuddyOnly, _saidNoTrace;
    // The hist triggers go in with the first phase and stay to the end (TraceCounts: adding one while
    // the antagonist allocates hung a guest). PAB_TRACE_EVENTS=1 or 0 overrides the default.
    private readonly TraceCounts? _trace = enabled && TraceEvents.Enabled(Environment.GetEnvironmentVariable(TraceEvents.Variable), traceByDefault) ? new() : null;
    private Dictionary<string, Dictionary<long, long>>? _traceStart;
    private int _pageblockOrder = 9;

    /// <summary>Reads the start state and writes the free lists' record.</summary>
    public void Begin(ExhaustSettings s)
    {
        if (!enabled) return;
        _filled = 0;
        WriteFree(s, "start");
        _vmstatStart = VmStat.Read();
        if (_vmstatStart == null && !_saidNoVmstat)
        {
            _saidNoVmstat = true;
            log.WriteLine($"pab-exhaust: cannot read {VmStat.Path}: the phases' counters are not recorded");
        }
        StartTraces();
        _traceStart = _trace?.Snapshot();
        _startTicks = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Adds the hist triggers if they are not in yet (once per run): called while the antagonist's
    /// workers are parked, also where the first phase to run is an antagonized one (--skip-idle).
    /// </summary>
    public void StartTraces()
    {
        if (!enabled || _trace?.Start() is not { } why || _saidNoTrace) return;
        _saidNoTrace = true;
        log.WriteLine($"pab-exhaust: allocator events are not counted: {why}");
    }

    /// <summary>One fill's bytes, for per-GiB figures.</summary>
    public void AddFill(long bytes) => _filled += bytes;

    /// <summary>Writes the counters that moved since <see cref="Begin"/>, then the end state.</summary>
    public void End(ExhaustSettings s)
    {
        if (!enabled) return;
        double seconds = (Stopwatch.GetTimestamp() - _startTicks) / (double)Stopwatch.Frequency;
        var traceEnd = _trace?.Snapshot();
        var events = _traceStart != null && traceEnd != null ? TraceCounts.Difference(_traceStart, traceEnd, _pageblockOrder) : null;
        var after = VmStat.Read();
        Record Count(string metric, long value) => new()
        {
            Type = RecordType.Metric, Metric = metric, Label = s.Label, Order = s.Order, Unit = Units.Count, Value = value,
            Details = new Dictionary<string, double> { ["duration_s"] = Math.Round(seconds, 3), ["filled_bytes"] = _filled },
        };
        if (_vmstatStart != null && after != null)
            foreach (var (counter, delta) in VmStat.Deltas(_vmstatStart, after))
                writer.Write(Count(AccountMetrics.VmStat(s.Label, counter), delta));
        // Every event's count, 0 included: where tracing was not possible there are none.
        if (events != null)
            foreach (var (ev, n) in events)
                writer.Write(Count(AccountMetrics.Trace(s.Label, ev), n));
        WriteFree(s, "end");
        _vmstatStart = null;
        _traceStart = null;
    }

    /// <summary>Removes the hist triggers once every phase has ended (process exit would, too).</summary>
    public void Finish() => _trace?.Stop();

    private void WriteFree(ExhaustSettings s, string point)
    {
        var lists = FreeLists.Read();
        if (lists == null)
        {
            if (!_saidNoFreeLists) log.WriteLine($"pab-exhaust: cannot read {FreeLists.BuddyInfoPath}: free lists are not recorded");
            _saidNoFreeLists = true;
            return;
        }
        if (!lists.ByMigrateType && !_saidBuddyOnly)
        {
            _saidBuddyOnly = true;
            log.WriteLine($"pab-exhaust: cannot read {FreeLists.PageTypeInfoPath} (root only): free lists recorded per zone, not per migratetype");
        }
        if (lists.PageblockOrder is int po) _pageblockOrder = po;
        writer.Write(new Record
        {
            Type = RecordType.Metric, Metric = AccountMetrics.FreeBytes(s.Label, point), Label = s.Label, Order = s.Order,
            Unit = Units.Bytes, Value = lists.TotalBytes(PageSize), Details = lists.Details(PageSize),
        });
    }
}
