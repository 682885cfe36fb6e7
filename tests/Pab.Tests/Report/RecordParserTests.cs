using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pab.Common;
using Record = Pab.Common.Record;
using Pab.Report.Input;

namespace Pab.Tests.Report;

/// <summary>The fast parser must read every field Record.cs defines, so the C# types stay the format's only definition.</summary>
public class RecordParserTests
{
    private static Record Full() => new()
    {
        Type = RecordType.Samples, Run = "r", Tool = "t", ToolVersion = "1.2.3", Time = new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero),
        Metric = "m", Order = 3, Label = "antagonized", Iteration = 4, Cpu = 5, AntagonistCpus = 2, Unit = "ns", Value = 6, Values = [7, 8],
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

    [Fact]
    public void ParserReadsEveryPropertyOfHostInfo()
    {
        // Each property set to a distinct value by reflection, so one HostInfo gains is covered without editing this test.
        var host = new HostInfo();
        int n = 0;
        foreach (var p in typeof(HostInfo).GetProperties().Where(p => p.CanWrite))
        {
            n++;
            var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            p.SetValue(host, type == typeof(string) ? $"s{n}" : Convert.ChangeType(n, type, System.Globalization.CultureInfo.InvariantCulture));
        }
        var record = new Record { Type = RecordType.Meta, Run = "r", Host = host };
        string json = JsonSerializer.Serialize(record, RecordJsonContext.Default.Record);
        long[] buffer = new long[1];
        var parsed = RecordParser.Parse(Encoding.UTF8.GetBytes(json), ref buffer, out _);
        Assert.Equal(json, JsonSerializer.Serialize(parsed, RecordJsonContext.Default.Record));
    }

    [Theory]
    [InlineData("""{"type":"meta","host":{"cpus":"2"}}""", "\"host\".\"cpus\" must be an integer")]
    [InlineData("""{"type":"meta","host":{"cpus":1.5}}""", "\"host\".\"cpus\" must be an integer")]
    [InlineData("""{"type":"meta","host":{"cpus":4294967296}}""", "\"host\".\"cpus\" must be an integer")]
    [InlineData("""{"type":"meta","host":{"cpu_model":3}}""", "\"host\".\"cpu_model\" must be a string")]
    [InlineData("""{"type":"meta","host":[]}""", "\"host\" must be an object")]
    [InlineData("""{"type":"samples","metric":"m","values":[1],"details":{"p50_ns":"1"}}""", "\"details\".\"p50_ns\" must be a number")]
    [InlineData("""{"type":"meta","options":{"o":1}}""", "\"options\".\"o\" must be a string")]
    [InlineData("""{"type":"meta","tool_versions":"x"}""", "\"tool_versions\" must be an object")]
    public void NestedObjectsOfTheWrongShapeAreBadRecords(string line, string message)
    {
        long[] buffer = new long[1];
        var e = Assert.Throws<BadRecordException>(() => RecordParser.Parse(Encoding.UTF8.GetBytes(line), ref buffer, out _));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void NestedObjectsReadAsTheSerializerReadsThem()
    {
        // Unknown names skipped, the last of a repeated one kept, nulls kept as null.
        const string line = """{"type":"meta","host":{"cpus":2,"future":{"a":[1]},"cpus":3,"cpu_model":null},"options":{"a":"1","a":"2","b":null},"details":{"x":1e3}}""";
        long[] buffer = new long[1];
        var parsed = RecordParser.Parse(Encoding.UTF8.GetBytes(line), ref buffer, out _);
        var expected = JsonSerializer.Deserialize(line, RecordJsonContext.Default.Record)!;
        Assert.Equal(JsonSerializer.Serialize(expected, RecordJsonContext.Default.Record), JsonSerializer.Serialize(parsed, RecordJsonContext.Default.Record));
        Assert.Equal(3, parsed.Host!.Cpus);
        Assert.Equal("2", parsed.Options!["a"]);
        Assert.Null(parsed.Options["b"]);
    }
}
