using Pab.Common;

namespace Pab.Report;

// The keys are classes, not structs: the collections and LINQ operators over them then run the shared
// code ReadyToRun compiled for reference types, where a struct key makes the JIT compile each one at start.

/// <summary>What merges: two records with the same key from different runs measured the same thing.</summary>
public sealed record SeriesKey(string Metric, int? Order, string? Label, int? Iteration)
{
    public GroupKey Group => new(Metric, Order, Label);
}

/// <summary>What a report row summarises: a metric at one order and label, over all iterations and CPUs.</summary>
public sealed record GroupKey(string Metric, int? Order, string? Label) : IComparable<GroupKey>
{
    public int CompareTo(GroupKey? other)
    {
        if (other is null) return 1;
        int c = MetricRank(Metric).CompareTo(MetricRank(other.Metric));
        if (c == 0) c = string.CompareOrdinal(Metric, other.Metric);
        if (c == 0) c = (Order ?? -1).CompareTo(other.Order ?? -1);
        if (c == 0) c = string.CompareOrdinal(Label, other.Label);
        return c;
    }

    // The original README's order, so reports read like its description.
    private static readonly string[] KnownOrder =
    [
        Metrics.IdleAvailableBytes, Metrics.AntagonizedAvailableBytes, Metrics.MemoryAvailableDiffBytes,
        Metrics.KernelHeldBytes, Metrics.KernelPageAllocs, Metrics.KernelAllocFailures, Metrics.KernelPageAllocsRemote,
        Metrics.KernelPageAllocLatenciesNs, Metrics.KernelPageFreeLatenciesNs,
    ];

    private static int MetricRank(string metric)
    {
        int i = Array.IndexOf(KnownOrder, metric);
        return i < 0 ? KnownOrder.Length : i;
    }

    public override string ToString() =>
        Metric + (Order is int o ? $" order {o}" : "") + (Label is { } l && !Metric.StartsWith(l + "_", StringComparison.Ordinal) ? $" [{l}]" : "");
}

/// <summary>
/// Values of one record, kept as 32-bit integers when they all fit (latencies in ns nearly always do),
/// which halves the memory a large run needs without changing any number.
/// </summary>
public sealed class ValueChunk
{
    private readonly int[]? _ints;
    private readonly long[]? _longs;

    private ValueChunk(int[]? ints, long[]? longs)
    {
        _ints = ints;
        _longs = longs;
    }

    public static ValueChunk Of(ReadOnlySpan<long> values)
    {
        bool fits = true;
        foreach (long v in values)
            if (v < int.MinValue || v > int.MaxValue) { fits = false; break; }
        if (!fits) return new ValueChunk(null, values.ToArray());
        var ints = new int[values.Length];
        for (int i = 0; i < ints.Length; i++) ints[i] = (int)values[i];
        return new ValueChunk(ints, null);
    }

    public static ValueChunk Single(long value) => Of([value]);

    public int Count => _ints?.Length ?? _longs!.Length;

    public long this[int i] => _ints != null ? _ints[i] : _longs![i];

    public long[] ToArray()
    {
        if (_longs != null) return (long[])_longs.Clone();
        var a = new long[_ints!.Length];
        for (int i = 0; i < a.Length; i++) a[i] = _ints[i];
        return a;
    }

    public bool SameAs(ValueChunk other)
    {
        if (other.Count != Count) return false;
        for (int i = 0; i < Count; i++) if (this[i] != other[i]) return false;
        return true;
    }

    /// <summary>Copies the values as doubles into <paramref name="target"/> at <paramref name="offset"/>.</summary>
    public void CopyTo(double[] target, int offset)
    {
        if (_ints != null) for (int i = 0; i < _ints.Length; i++) target[offset + i] = _ints[i];
        else for (int i = 0; i < _longs!.Length; i++) target[offset + i] = _longs[i];
    }
}

/// <summary>Where a record came from, for messages a person can act on.</summary>
public readonly record struct SourcePos(string File, long Line)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}

/// <summary>One record's data as kept after merging: the record without its values, and the values.</summary>
public sealed class Contribution(Record header, ValueChunk values, SourcePos source)
{
    public Record Header { get; } = header;
    public ValueChunk Values { get; } = values;
    public SourcePos Source { get; } = source;
    public string Run => Header.Run!;

    /// <summary>The record as read, values restored.</summary>
    public Record ToRecord()
    {
        var r = RecordCopy.WithoutValues(Header);
        if (Header.Type == RecordType.Samples) r.Values = Values.ToArray();
        else r.Value = Values[0];
        return r;
    }
}

public sealed class RunInfo(string id, int sequence, DateTimeOffset? firstTime, SourcePos firstSeen)
{
    public string Id { get; } = id;
    /// <summary>Order of first appearance in the input, the tie-breaker when times are missing.</summary>
    public int Sequence { get; } = sequence;
    public DateTimeOffset? FirstTime { get; } = firstTime;
    public SourcePos FirstSeen { get; } = firstSeen;
    public List<Record> Meta { get; } = [];
    public HashSet<string> Tools { get; } = new(StringComparer.Ordinal);

}

/// <summary>One run's records of one key.</summary>
public sealed class Series(SeriesKey key, string unit, RunInfo owner)
{
    public SeriesKey Key { get; } = key;
    public string Unit { get; } = unit;
    public RunInfo Owner { get; } = owner;
    public List<Contribution> Items { get; } = [];
    public bool IsSamples => Items.Any(c => c.Header.Type == RecordType.Samples);
    /// <summary>The values of every series given (a loop: Sum over long is JIT-compiled at start).</summary>
    public static long ValueCountOf(IEnumerable<Series> series)
    {
        long n = 0;
        foreach (var s in series) n += s.ValueCount;
        return n;
    }

    public long ValueCount
    {
        get
        {
            long n = 0; // a loop: Sum over long is JIT-compiled at start
            foreach (var c in Items) n += c.Values.Count;
            return n;
        }
    }
}

/// <summary>Within one run, later records of a measurement replaced earlier ones (a rerun completing the run).</summary>
public sealed record Replacement(SeriesKey Key, string Run, string ReplacedIn, string ByIn, int Records, long Values);

/// <summary>Records of <paramref name="File"/> that repeat, unchanged, records already read from <paramref name="FirstIn"/>.</summary>
public sealed record Duplicate(string File, string FirstIn, int Records);

public enum Severity { Warning, Error }

/// <summary>A problem with the input, named by file and line.</summary>
public sealed record InputProblem(Severity Severity, SourcePos Where, string Message)
{
    public override string ToString() => $"{Where}: {(Severity == Severity.Error ? "error" : "warning")}: {Message}";
}

internal static class RecordCopy
{
    public static Record WithoutValues(Record r) => new()
    {
        Format = r.Format, Type = r.Type, Run = r.Run, Tool = r.Tool, ToolVersion = r.ToolVersion, Time = r.Time,
        Metric = r.Metric, Order = r.Order, Label = r.Label, Iteration = r.Iteration, Cpu = r.Cpu, Unit = r.Unit,
        Population = r.Population, Details = r.Details, Event = r.Event, Message = r.Message, Host = r.Host,
        Options = r.Options, ToolVersions = r.ToolVersions,
    };
}
