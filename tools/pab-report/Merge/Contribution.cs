using Pab.Common;
using Pab.Report.Input;

namespace Pab.Report.Merge;

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
