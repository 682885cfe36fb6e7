using Pab.Common;

namespace Pab.Report.Input;

/// <summary>Receives what the reader finds, in input order.</summary>
public interface IRecordSink
{
    void Accept(Record record, ValueChunk? values, SourcePos where);
    void Problem(InputProblem problem);
}
