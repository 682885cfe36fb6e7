using System.Text;
using System.Text.Json;
using Pab.Common;
using Record = Pab.Common.Record;
using Pab.Report.Input;
using Pab.Report.Merge;
using Pab.Report.Commands;

namespace Pab.Tests.Report;

/// <summary>Builds record lines the way the tools write them, and merges them from memory.</summary>
internal static class ReportTestData
{
    public static string Line(Record r) => JsonSerializer.Serialize(r, RecordJsonContext.Default.Record);

    public static Record Metric(string run, string metric, long value, int? order = null, int? iteration = null,
        string? label = null, string? unit = null, string time = "2026-11-22T01:00:00Z", string tool = "pab-exhaust") => new()
    {
        Type = RecordType.Metric, Run = run, Tool = tool, Time = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
        Metric = metric, Order = order, Iteration = iteration, Label = label, Unit = unit ?? MetricNames.UnitOf(metric), Value = value,
    };

    public static Record Samples(string run, string metric, long[] values, int? order = null, int? cpu = null,
        string time = "2026-11-22T01:00:00Z") => new()
    {
        Type = RecordType.Samples, Run = run, Tool = "pab-antagonize", Time = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
        Metric = metric, Order = order, Cpu = cpu, Unit = Units.Nanoseconds, Values = values, Population = values.Length * 10L,
    };

    public static InputSource Source(string name, params Record[] records) =>
        Text(name, string.Join("\n", records.Select(Line)) + "\n");

    /// <summary>Runs pab-report as its Program does, without colour: the exit code and what it wrote.</summary>
    public static (int Code, string Stdout, string Stderr) RunCli(params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = ReportCli.Run(args, stdout, stderr);
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    public static InputSource Text(string name, string text) => InputSource.FromBytes(name, Encoding.UTF8.GetBytes(text));

    public static MergedData Merge(KeepPolicy keep, params InputSource[] sources) => MergedData.Read(sources, keep);

    public static MergedData Merge(params InputSource[] sources) => MergedData.Read(sources);

    public static long[] ValuesOf(MergedData data, string metric, int? order = null) =>
        data.AllSeries.Where(s => s.Key.Metric == metric && s.Key.Order == order)
            .SelectMany(s => s.Items).SelectMany(c => Enumerable.Range(0, c.Values.Count).Select(i => c.Values[i])).ToArray();

    /// <summary>A full small run: 5 iterations of exhaust at orders 0 and 3, held bytes, latencies on 2 CPUs.</summary>
    public static Record[] SmallRun(string run = "A", string time = "2026-11-22T01:00:00Z")
    {
        var list = new List<Record>
        {
            new()
            {
                Type = RecordType.Meta, Run = run, Tool = "pab-exhaust", ToolVersion = "0.1.0",
                Time = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
                Host = new HostInfo { KernelRelease = "6.1.0-56-amd64", Cpus = 2, CpuModel = "QEMU Virtual CPU", NumaNodes = 1, MemTotalBytes = 1L << 30 },
            },
        };
        for (int i = 0; i < 5; i++)
        {
            list.Add(Metric(run, Metrics.IdleAvailableBytes, 900_000_000 + i * 1_000_000, iteration: i, label: "idle", time: time));
            foreach (int order in new[] { 0, 3 })
                list.Add(Metric(run, Metrics.AntagonizedAvailableBytes, 800_000_000 + i * 1_000_000 - order * 10_000_000, order, i, "antagonized", time: time));
        }
        foreach (int order in new[] { 0, 3 })
        {
            // pab-antagonize labels everything it writes "antagonized".
            list.Add(Metric(run, Metrics.KernelHeldBytes, 50_000_000, order, label: "antagonized", time: time, tool: "pab-antagonize"));
            list.Add(Metric(run, Metrics.KernelPageAllocs, 123_456 + order, order, label: "antagonized", time: time, tool: "pab-antagonize"));
            list.Add(Metric(run, Metrics.KernelAllocFailures, 0, order, label: "antagonized", time: time, tool: "pab-antagonize"));
            for (int cpu = 0; cpu < 2; cpu++)
            {
                var samples = Samples(run, Metrics.KernelPageAllocLatenciesNs,
                    Enumerable.Range(0, 100).Select(k => 200L + k * 10 + cpu * 5 + order * 1000).ToArray(), order, cpu, time);
                samples.Label = "antagonized";
                samples.Details = new() { ["p50_ns"] = 700 + order * 1000 + cpu, ["p99_ns"] = 1190 + order * 1000 + cpu, ["max_ns"] = 25_000 + cpu * 1000 };
                list.Add(samples);
            }
        }
        return list.ToArray();
    }
}
