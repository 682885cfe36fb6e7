using System.Text;
using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Compare;
using Pab.Report.Export;
using Pab.Report.Input;
using Pab.Report.Summaries;

namespace Pab.Tests.Report;

/// <summary>The high-order probe's records in the report and in compare: a share in ppm shown as a percentage, more is better.</summary>
public class HighOrderProbeReportTests
{
    private const string Rate = "antagonized_high_order_nocompact_success_rate";
    private const string P50 = "antagonized_high_order_nocompact_latency_p50_ns";

    private static Record Probe(string run, string metric, long value, string unit) =>
        Metric(run, metric, value, order: 0, label: "antagonized", unit: unit, tool: "pab-antagonize");

    [Theory]
    [InlineData(Rate, +1)]
    [InlineData("idle_high_order_compact_success_rate", +1)]
    [InlineData("rest_high_order_compact_success_rate", +1)]
    [InlineData(P50, -1)]
    public void DirectionsMoreBlocksAndLowerLatencyAreBetter(string metric, int direction) =>
        Assert.Equal(direction, Preferred.Direction(metric));

    [Theory]
    [InlineData(1_000_000, "100 %")]
    [InlineData(987_654, "98.77 %")]
    [InlineData(0, "0 %")]
    public void PpmReadsAsAPercentage(double ppm, string text) =>
        Assert.Equal(text, UnitFormat.Format(ppm, Units.PartsPerMillion));

    [Fact]
    public void ANegativeShareIsRefusedAsABadRecord() =>
        Assert.NotNull(RecordChecks.Value(Rate, Units.PartsPerMillion, -1));

    [Fact]
    public void TheReportShowsTheRateAsAPercentageAndTheOriginalsJsonLeavesItOut()
    {
        var data = Merge(Source("a.jsonl", [.. SmallRun("A"), Probe("A", Rate, 250_000, Units.PartsPerMillion), Probe("A", P50, 3_000, Units.Nanoseconds)]));
        var text = new MemoryStream();
        new TextExporter(markdown: false).Export(new ReportContent(data, []), text);
        string report = Encoding.UTF8.GetString(text.ToArray());
        Assert.Contains(Rate, report);
        Assert.Contains("25 %", report);
        Assert.Contains(P50, report);

        var original = new MemoryStream();
        new OriginalExporter().Export(new ReportContent(data, []), original);
        string json = Encoding.UTF8.GetString(original.ToArray());
        Assert.DoesNotContain("high_order", json);
        Assert.Contains(Metrics.AntagonizedAvailableBytes, json);
    }

    [Fact]
    public void CompareJudgesALowerRateWorseAndKeepsItAShareNotARate()
    {
        InputSource Side(string name, long ppm) => Source(name, [.. Enumerable.Range(0, 5).Select(i =>
            Probe($"{name}-{i}", Rate, ppm + i * 1000, Units.PartsPerMillion))]);
        var cmp = Comparison.Run([Merge(Side("base", 900_000)), Merge(Side("new", 500_000))], ["base", "new"], 0.05, 0);
        var row = cmp.Rows.Single(r => r.Key.Metric == Rate);
        Assert.Equal(Units.PartsPerMillion, row.Unit);
        var side = row.Sides[1];
        Assert.Equal(Verdict.Lower, side.Verdict);
        Assert.Equal("worse", Preferred.Judge(Rate, side.Verdict));
    }
}
