using System.Reflection;
using System.Text;
using System.Text.Json;
using Pab.Common;
using Record = Pab.Common.Record;

namespace Pab.Tests.Common;

/// <summary>The hand-written record writer against the serializer the format is defined by, and both pinned: byte for byte.</summary>
public class RecordJsonTests
{
    private static string Serializer(Record r) => JsonSerializer.Serialize(r, RecordJsonContext.Default.Record);

    private static string Ours(Record r) => Encoding.UTF8.GetString(RecordJson.ToUtf8Bytes(r));


    /// <summary>Every settable property of <paramref name="target"/> given a value of its type, so a property the format gains shows here.</summary>
    private static void SetAll(object target, int seed)
    {
        foreach (var p in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            Type t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            object value = t == typeof(string) ? $"{p.Name} \"quoted\" + é ✓ \u0001 {seed}"
                : t == typeof(int) ? -seed - 7
                : t == typeof(long) ? long.MaxValue - seed
                : t == typeof(long[]) ? new long[] { 0, -1, long.MinValue, seed }
                : t == typeof(DateTimeOffset) ? new DateTimeOffset(2026, 12, 3, 14, 5, 6, TimeSpan.Zero).AddTicks(1234567 + seed)
                : t == typeof(RecordType) ? (RecordType)(seed % 4)
                : t == typeof(Dictionary<string, double>) ? new Dictionary<string, double> { ["a_s"] = 0.1, ["b_bytes"] = 3.0, ["c"] = -1e-7, ["d"] = 1.7976931348623157e308, ["é"] = seed }
                : t == typeof(Dictionary<string, string>) ? new Dictionary<string, string> { ["k"] = "v+1", ["order"] = "0,4" }
                : t == typeof(HostInfo) ? NewHost(seed)
                : throw new InvalidOperationException($"{target.GetType().Name}.{p.Name}: a type this test does not fill ({t}); teach it");
            p.SetValue(target, value);
        }
    }

    private static HostInfo NewHost(int seed)
    {
        var h = new HostInfo();
        SetAll(h, seed);
        return h;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryPropertySetIsWrittenAsTheSerializerWritesIt(int seed)
    {
        var r = new Record();
        SetAll(r, seed);
        Assert.Equal(Serializer(r), Ours(r));
    }

    [Fact]
    public void EveryPropertySetIsWrittenInTheFormatsOrderAndForm()
    {
        var r = new Record();
        SetAll(r, 0);
        Assert.Equal(FullRecord, Ours(r));
        Assert.Equal(FullRecord, Serializer(r));
    }

    [Theory]
    [InlineData(RecordType.Meta, "meta")]
    [InlineData(RecordType.Metric, "metric")]
    [InlineData(RecordType.Samples, "samples")]
    [InlineData(RecordType.Event, "event")]
    public void ATypeIsWrittenByItsName(RecordType type, string name)
    {
        Assert.Equal($$"""{"v":1,"type":"{{name}}"}""", Ours(new Record { Type = type }));
        Assert.Equal(Serializer(new Record { Type = type }), Ours(new Record { Type = type }));
    }

    [Fact]
    public void NullsAreLeftOutAsTheSerializerLeavesThemOut()
    {
        var r = new Record { Type = RecordType.Metric, Metric = "idle_available_bytes", Value = 1, Host = new HostInfo { Cpus = 2 }, Details = [] };
        Assert.Equal("""{"v":1,"type":"metric","metric":"idle_available_bytes","value":1,"details":{},"host":{"cpus":2}}""", Ours(r));
        Assert.Equal(Serializer(r), Ours(r));
        Assert.Equal(Serializer(new Record()), Ours(new Record()));
    }

    [Fact]
    public void ANumberJsonCannotHoldIsRefusedNotWritten()
    {
        var r = new Record { Details = new() { ["x"] = double.NaN } };
        Assert.ThrowsAny<ArgumentException>(() => RecordJson.ToUtf8Bytes(r));
    }

    private const string FullRecord = """
        {"v":-7,"type":"meta","run":"Run \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","tool":"Tool \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","tool_version":"ToolVersion \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","time":"2026-12-03T14:05:06.1234567+00:00","metric":"Metric \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","order":-7,"label":"Label \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","iteration":-7,"cpu":-7,"antagonist_cpus":-7,"unit":"Unit \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","value":9223372036854775807,"values":[0,-1,-9223372036854775808,0],"population":9223372036854775807,"details":{"a_s":0.1,"b_bytes":3,"c":-1E-07,"d":1.7976931348623157E+308,"\u00E9":0},"event":"Event \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","message":"Message \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","host":{"kernel_release":"KernelRelease \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","kernel_cmdline":"KernelCmdline \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","cpu_model":"CpuModel \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","cpus":-7,"numa_nodes":-7,"mem_total_bytes":9223372036854775807,"module_version":"ModuleVersion \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0","module_abi":"ModuleAbi \u0022quoted\u0022 \u002B \u00E9 \u2713 \u0001 0"},"options":{"k":"v\u002B1","order":"0,4"},"tool_versions":{"k":"v\u002B1","order":"0,4"}}
        """;
}
