using System.Text.Json;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>
/// The report as one JSON document for scripts: its rows with the text report's figures as plain numbers in the
/// metric's unit, its runs, what was not computed and its warnings. The merged records themselves are --format jsonl.
/// </summary>
public sealed class JsonSummaryExporter : IExporter<ReportContent>
{
    public void Export(ReportContent report, Stream output)
    {
        var (data, warnings) = report;
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartArray("runs");
        foreach (var run in data.Runs)
        {
            w.WriteStartObject();
            w.WriteString("run", run.Id);
            if (run.FirstTime is { } t) w.WriteString("time", t);
            var host = run.Meta.Select(m => m.Host).FirstOrDefault(h => h != null);
            if (host?.KernelRelease is { } k) w.WriteString("kernel_release", k);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var r in ReportRows.Of(data))
        {
            w.WriteStartObject();
            WriteKey(w, r.Key);
            w.WriteString("unit", r.Unit);
            w.WriteNumber("runs", r.Runs);
            w.WriteNumber("values", r.Summary.Count);
            w.WriteBoolean("one_value_per_run", r.OneValue);
            var s = r.Summary;
            foreach (var (name, v) in new[] { ("mean", s.Mean), ("stddev", s.StdDev), ("median", s.Median), ("p95", s.P95), ("min", s.Min), ("max", s.Max) })
                if (double.IsFinite(v)) w.WriteNumber(name, v);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("not_computed");
        foreach (var n in data.NotComputed) w.WriteStringValue(n.ToString());
        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (string warning in Warning.Grouped(warnings)) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A row's metric, order and label, as every JSON export names them.</summary>
    internal static void WriteKey(Utf8JsonWriter w, GroupKey key)
    {
        w.WriteString("metric", key.Metric);
        if (key.Order is int o) w.WriteNumber("order", o);
        if (key.Cpus is int cpus) w.WriteNumber("antagonist_cpus", cpus);
        if (key.Label is { } l) w.WriteString("label", l);
    }
}
