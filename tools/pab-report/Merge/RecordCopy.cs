using Pab.Common;

namespace Pab.Report.Merge;

internal static class RecordCopy
{
    public static Record WithoutValues(Record r) => new()
    {
        Format = r.Format, Type = r.Type, Run = r.Run, Tool = r.Tool, ToolVersion = r.ToolVersion, Time = r.Time,
        Metric = r.Metric, Order = r.Order, Label = r.Label, Iteration = r.Iteration, Cpu = r.Cpu, AntagonistCpus = r.AntagonistCpus, Unit = r.Unit,
        Population = r.Population, Details = r.Details, Event = r.Event, Message = r.Message, Host = r.Host,
        Options = r.Options, ToolVersions = r.ToolVersions,
    };
}
