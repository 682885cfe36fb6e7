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
