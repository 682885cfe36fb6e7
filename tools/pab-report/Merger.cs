using Pab.Common;

namespace Pab.Report;

/// <summary>What to do when two runs measured the same key.</summary>
public enum KeepPolicy
{
    /// <summary>The later run's values replace the earlier run's (a partial rerun).</summary>
    Latest,
    /// <summary>Every run's values are kept side by side.</summary>
    All,
}

/// <summary>
/// Merges records from any number of runs by (metric, order, label, iteration). Within one run records of a key
/// add up (one samples record per CPU); across runs the later run wins unless every value is kept.
/// Every record read ends up kept, replaced or rejected, and is counted as such.
/// </summary>
public sealed class Merger(KeepPolicy keep = KeepPolicy.Latest) : IRecordSink
{
    private readonly Dictionary<SeriesKey, Series> _series = [];
    private readonly Dictionary<string, RunInfo> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Unit, SourcePos Where)> _units = new(StringComparer.Ordinal);
    private readonly Dictionary<(SeriesKey, string, string), (int Records, long Values)> _replaced = [];
    private readonly List<Record> _events = [];
    private readonly List<InputProblem> _problems = [];

    public KeepPolicy Keep { get; } = keep;
    public long Read { get; private set; }
    public long Replaced { get; private set; }
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
            _runs[record.Run] = run = new RunInfo(record.Run, _runs.Count, record.Time, where);
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
        string unit = record.Unit ?? Metrics.UnitOf(metric);
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
            _units[metric] = (unit, where);
        }

        var key = KeyOf(record);
        var contribution = new Contribution(RecordCopy.WithoutValues(record), values!, where);
        Values += values!.Count;
        if (!_series.TryGetValue(key, out var series))
        {
            _series[key] = series = new Series(key, unit, run);
        }
        else if (Keep == KeepPolicy.Latest && series.Owner != run)
        {
            if (run.IsLaterThan(series.Owner))
            {
                Note(key, series.Owner.Id, run.Id, series.Items.Count, series.ValueCount);
                Replaced += series.Items.Count;
                Values -= series.ValueCount;
                series.Items.Clear();
                series.Owner = run;
            }
            else
            {
                // Read out of order: this record is older than what the key already has.
                Note(key, run.Id, series.Owner.Id, 1, values.Count);
                Replaced++;
                Values -= values.Count;
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
        return new SeriesKey(r.Metric!, r.Order, label, r.Iteration);
    }

    private void Note(SeriesKey key, string replaced, string by, int records, long values)
    {
        var k = (key, replaced, by);
        _replaced.TryGetValue(k, out var sum);
        _replaced[k] = (sum.Records + records, sum.Values + values);
    }

    public MergedData Finish()
    {
        var series = _series.Values.Where(s => s.Items.Count > 0).OrderBy(s => s.Key.Group).ThenBy(s => s.Key.Iteration ?? -1).ToList();
        var derived = Composite.Compute(series);
        var replacements = _replaced.Select(kv => new Replacement(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value.Records, kv.Value.Values))
            .OrderBy(r => r.Key.Group).ThenBy(r => r.Key.Iteration ?? -1).ToList();
        return new MergedData(series, derived, _runs.Values.OrderBy(r => r.Sequence).ToList(), _events, replacements, _problems, Keep)
        {
            RecordsRead = Read,
            RecordsReplaced = Replaced,
            RecordsRejected = Rejected,
            LinesTruncated = Truncated,
        };
    }
}

/// <summary>The merged data every output format is written from.</summary>
public sealed class MergedData(
    IReadOnlyList<Series> measured, IReadOnlyList<Series> derived, IReadOnlyList<RunInfo> runs, IReadOnlyList<Record> events,
    IReadOnlyList<Replacement> replacements, IReadOnlyList<InputProblem> problems, KeepPolicy keep)
{
    /// <summary>Series as read and merged.</summary>
    public IReadOnlyList<Series> Measured { get; } = measured;
    /// <summary>Series pab-report computed (memory_available_diff_bytes).</summary>
    public IReadOnlyList<Series> Derived { get; } = derived;
    public IReadOnlyList<RunInfo> Runs { get; } = runs;
    public IReadOnlyList<Record> Events { get; } = events;
    public IReadOnlyList<Replacement> Replacements { get; } = replacements;
    public IReadOnlyList<InputProblem> Problems { get; } = problems;
    public KeepPolicy Keep { get; } = keep;

    public long RecordsRead { get; init; }
    public long RecordsReplaced { get; init; }
    public long RecordsRejected { get; init; }
    public long LinesTruncated { get; init; }
    public long RecordsKept => RecordsRead - RecordsReplaced - RecordsRejected;

    public bool HasErrors => Problems.Any(p => p.Severity == Severity.Error);

    public IEnumerable<Series> AllSeries => Measured.Concat(Derived).OrderBy(s => s.Key.Group).ThenBy(s => s.Key.Iteration ?? -1);

    /// <summary>Series grouped into report rows, in report order.</summary>
    public IReadOnlyList<(GroupKey Key, IReadOnlyList<Series> Series)> Groups() =>
        AllSeries.GroupBy(s => s.Key.Group).OrderBy(g => g.Key)
            .Select(g => (g.Key, (IReadOnlyList<Series>)g.ToList())).ToList();

    public static MergedData Read(IEnumerable<InputSource> sources, KeepPolicy keep = KeepPolicy.Latest)
    {
        var merger = new Merger(keep);
        merger.ReadAll(sources);
        return merger.Finish();
    }
}
