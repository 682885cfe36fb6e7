using Pab.Common;
using Pab.Report.Input;

namespace Pab.Report.Merge;

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
