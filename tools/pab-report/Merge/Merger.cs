using Pab.Common;
using Pab.Report.Input;

namespace Pab.Report.Merge;

/// <summary>
/// Merges records from any number of runs. Every run is a replicate and keeps all its values; within one run a
/// measurement is (metric, order, label, iteration, CPU), and one recorded again (a rerun completing an interrupted
/// run carries its run id) replaces the earlier record unless every value is kept. An identical record read twice
/// (a file given twice) counts once. Every record read ends up kept, replaced, duplicate or rejected, and is counted.
/// </summary>
public sealed class Merger(KeepPolicy keep = KeepPolicy.Latest) : IRecordSink
{
    private readonly record struct SeriesSlot(SeriesKey Key, string Run);
    private sealed record UnitSeen(string Unit, SourcePos Where);
    private readonly record struct ReplacedSlot(SeriesKey Key, string Run, string ReplacedIn, string ByIn);
    // A class: a count found in a dictionary is updated in place.
    private sealed class Tally { public int Records; public long Values; }
    private readonly record struct DuplicateSlot(string File, string FirstIn);

    private readonly Dictionary<SeriesSlot, Series> _series = [];
    private readonly Dictionary<string, RunInfo> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnitSeen> _units = new(StringComparer.Ordinal);
    private readonly Dictionary<ReplacedSlot, Tally> _replaced = [];
    private readonly Dictionary<DuplicateSlot, Tally> _duplicates = [];
    private readonly List<Record> _events = [];
    private readonly List<InputProblem> _problems = [];

    public KeepPolicy Keep { get; } = keep;
    public long Read { get; private set; }
    public long Replaced { get; private set; }
    public long Duplicates { get; private set; }
    public long Rejected { get; private set; }
    public long Truncated { get; private set; }
    public long Values { get; private set; }

    public void ReadAll(IEnumerable<InputSource> sources)
    {
        foreach (var source in sources) InputReader.Read(source, this);
    }

    public void Problem(InputProblem problem)
    {
        _problems.Add(problem);
        if (problem.Where.Line > 0)
        {
            Read++;
            Rejected++;
            if (problem.Severity == Severity.Warning) Truncated++;
        }
    }

    public void Accept(Record record, ValueChunk? values, SourcePos where)
    {
        Read++;
        record.Run ??= "file:" + where.File;
        if (!_runs.TryGetValue(record.Run, out var run))
            _runs[record.Run] = run = new RunInfo(record.Run, _runs.Count, record.Time);
        if (record.Tool != null) run.Tools.Add(record.Tool);

        switch (record.Type)
        {
            case RecordType.Meta:
                run.Meta.Add(record);
                return;
            case RecordType.Event:
                _events.Add(record);
                return;
        }

        string metric = record.Metric!;
        string unit = record.Unit ?? MetricNames.UnitOf(metric);
        if (_units.TryGetValue(metric, out var known))
        {
            if (known.Unit != unit)
            {
                Problem(new InputProblem(Severity.Error, where,
                    $"metric '{metric}' is in '{unit}' here but in '{known.Unit}' at {known.Where}; values of different units are not merged (convert one of them, or fix the tool that wrote it)"));
                Read--; // Problem() counted the line already
                return;
            }
        }
        else
        {
            _units[metric] = new UnitSeen(unit, where);
        }

        var key = KeyOf(record);
        var contribution = new Contribution(RecordCopy.WithoutValues(record), values!, where);
        Values += values!.Count;
        var slot = new SeriesSlot(key, run.Id);
        if (!_series.TryGetValue(slot, out var series))
            _series[slot] = series = new Series(key, unit, run);
        int same = series.Items.FindIndex(c => c.Header.Cpu == record.Cpu && c.Header.Type == record.Type);
        if (same >= 0)
        {
            var old = series.Items[same];
            if (old.Header.Time == record.Time && old.Values.SameAs(values))
            {
                Duplicates++;
                Values -= values.Count;
                var k = new DuplicateSlot(where.File, old.Source.File);
                if (!_duplicates.TryGetValue(k, out var count)) _duplicates[k] = count = new Tally();
                count.Records++;
                return;
            }
            if (Keep == KeepPolicy.Latest)
            {
                // Later by the records' own times; without them (or equal), the one read last.
                bool newer = !(record.Time is { } t && old.Header.Time is { } o && t < o);
                var dropped = newer ? old : contribution;
                Note(key, run.Id, dropped.Source.File, (newer ? contribution : old).Source.File, dropped.Values.Count);
                Replaced++;
                Values -= dropped.Values.Count;
                if (newer) series.Items[same] = contribution;
                return;
            }
        }
        series.Items.Add(contribution);
    }

    /// <summary>The phases the tools write as labels; the metric names already say which phase they measure.</summary>
    public static readonly IReadOnlySet<string> Phases = new HashSet<string>(StringComparer.Ordinal) { "idle", "antagonized" };

    /// <summary>
    /// The label joins the key only where it tells something the name does not: pab-exhaust's names carry their
    /// label (idle_available_bytes), pab-antagonize labels everything "antagonized", and the original had no labels,
    /// so none of these may split a key or keep old results from matching new ones.
    /// </summary>
    public static SeriesKey KeyOf(Record r)
    {
        string? label = r.Label is { } l && !Phases.Contains(l) && !r.Metric!.StartsWith(l + "_", StringComparison.Ordinal) ? l : null;
        return new SeriesKey(r.Metric!, r.Order, label, r.Iteration, r.AntagonistCpus);
    }

    private void Note(SeriesKey key, string run, string replacedIn, string byIn, long values)
    {
        var k = new ReplacedSlot(key, run, replacedIn, byIn);
        if (!_replaced.TryGetValue(k, out var sum)) _replaced[k] = sum = new Tally();
        sum.Records++;
        sum.Values += values;
    }

    public MergedData Finish()
    {
        var series = _series.Values.Where(s => s.Items.Count > 0)
            .OrderBy(s => s.Key.Group).ThenBy(s => s.Owner.Sequence).ThenBy(s => s.Key.Iteration ?? -1).ToList();
        var derived = AvailableDiff.Compute(series);
        var replacements = _replaced.Select(kv => new Replacement(kv.Key.Key, kv.Key.Run, kv.Key.ReplacedIn, kv.Key.ByIn, kv.Value.Records, kv.Value.Values))
            .OrderBy(r => r.Key.Group).ThenBy(r => r.Key.Iteration ?? -1).ToList();
        var duplicates = _duplicates.Select(kv => new Duplicate(kv.Key.File, kv.Key.FirstIn, kv.Value.Records)).ToList();
        return new MergedData(series, derived, _runs.Values.OrderBy(r => r.Sequence).ToList(), _events, replacements, _problems, Keep)
        {
            Duplicates = duplicates,
            NotComputed = AvailableDiff.Missing(series, derived),
            RecordsRead = Read,
            RecordsReplaced = Replaced,
            RecordsDuplicate = Duplicates,
            RecordsRejected = Rejected,
            LinesTruncated = Truncated,
        };
    }
}
