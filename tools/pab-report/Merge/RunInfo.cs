using Pab.Common;

namespace Pab.Report.Merge;

/// <summary>One run (a boot): its id, where it first appeared, its meta records and the tools that wrote it.</summary>
public sealed class RunInfo(string id, int sequence, DateTimeOffset? firstTime)
{
    public string Id { get; } = id;
    /// <summary>Order of first appearance in the input, the tie-breaker when times are missing.</summary>
    public int Sequence { get; } = sequence;
    public DateTimeOffset? FirstTime { get; } = firstTime;
    public List<Record> Meta { get; } = [];
    public HashSet<string> Tools { get; } = new(StringComparer.Ordinal);
}
