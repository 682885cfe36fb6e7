using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pab.Common;
using Pab.Report;
using Record = Pab.Common.Record;

namespace Pab.Tests.Report;

/// <summary>The fast parser must read every field Record.cs defines, so the C# types stay the format's only definition.</summary>
public class RecordParserTests
{
    private static Record Full() => new()
    {
        Type = RecordType.Samples, Run = "r", Tool = "t", ToolVersion = "1.2.3", Time = new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero),
        Metric = "m", Order = 3, Label = "antagonized", Iteration = 4, Cpu = 5, Unit = "ns", Value = 6, Values = [7, 8],
        Population = 9, Details = new() { ["p50_ns"] = 1.5 }, Event = "e", Message = "msg",
        Host = new HostInfo { KernelRelease = "k", KernelCmdline = "c", CpuModel = "cpu", Cpus = 2, NumaNodes = 1, MemTotalBytes = 10, ModuleVersion = "mv" },
        Options = new() { ["o"] = "1" }, ToolVersions = new() { ["pab-exhaust"] = "0.1.0" },
    };

    [Fact]
    public void EveryPropertyOfRecordIsSetInTheFullSample()
    {
        // If Record gains a property, this fails until Full() (and so the round trip below) covers it.
        var json = JsonSerializer.Serialize(Full(), RecordJsonContext.Default.Record);
        using var doc = JsonDocument.Parse(json);
        var names = typeof(Record).GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name).Order();
        Assert.Equal(names, doc.RootElement.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public void ParserRoundTripsEveryField()
    {
        var full = Full();
        string json = JsonSerializer.Serialize(full, RecordJsonContext.Default.Record);
        long[] buffer = new long[1];
        var parsed = RecordParser.Parse(Encoding.UTF8.GetBytes(json), ref buffer, out var values);
        parsed.Values = values!.ToArray();
        Assert.Equal(json, JsonSerializer.Serialize(parsed, RecordJsonContext.Default.Record));
    }
}
