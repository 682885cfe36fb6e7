using Pab.Common;

namespace Pab.Report.Merge;

/// <summary>One run's records of one key.</summary>
public sealed class Series(SeriesKey key, string unit, RunInfo owner)
{
    public SeriesKey Key { get; } = key;
    public string Unit { get; } = unit;
    public RunInfo Owner { get; } = owner;
    public List<Contribution> Items { get; } = [];
    public bool IsSamples => Items.Any(c => c.Header.Type == RecordType.Samples);
    /// <summary>The values of every series given.</summary>
    public static long ValueCountOf(IEnumerable<Series> series) => series.Sum(s => s.ValueCount);

    public long ValueCount => Items.Sum(c => (long)c.Values.Count);
}
