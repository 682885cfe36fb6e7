using System.Text.Json;
using Pab.Report.Compare;

namespace Pab.Report.Export;

/// <summary>The comparison as one JSON document, for scripts: each row's sides with their run summaries, change, interval and verdict.</summary>
public sealed class CompareJsonExporter : IExporter<CompareContent>
{
    public void Export(CompareContent content, Stream output)
    {
        var cmp = content.Comparison;
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("alpha", cmp.Alpha);
        w.WriteNumber("tested", cmp.Tested);
        w.WriteNumber("called", cmp.Called);
        w.WriteStartArray("sides");
        foreach (string s in cmp.SideNames) w.WriteStringValue(s);
        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var row in cmp.Rows)
        {
            w.WriteStartObject();
            JsonSummaryExporter.WriteKey(w, row.Key);
            w.WriteString("unit", row.Unit);
            w.WriteString("summary", row.How);
            w.WriteStartArray("sides");
            foreach (var side in row.Sides)
            {
                w.WriteStartObject();
                w.WriteString("side", side.Name);
                w.WriteNumber("runs", side.Runs);
                w.WriteStartArray("run_values");
                foreach (var r in side.Row?.Runs ?? []) w.WriteNumberValue(r.Value);
                w.WriteEndArray();
                w.WriteString("verdict", Word(side.Verdict));
                if (side.Shift is { } s)
                {
                    w.WriteString("scale", s.Scale == ChangeScale.Ratio ? "ratio" : "difference");
                    w.WriteNumber("change", s.Change);
                    w.WriteNumber("low", s.Low);
                    w.WriteNumber("high", s.High);
                    w.WriteNumber("confidence", s.Confidence);
                    w.WriteNumber("p", s.PValue);
                }
                if (!double.IsNaN(side.Detectable)) w.WriteNumber("detectable", side.Detectable);
                if (!double.IsNaN(side.WithinRunChange)) w.WriteNumber("within_run_change", side.WithinRunChange);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The text's verdict in the JSON's snake_case: "~" stays "~", as the text and docs name it.</summary>
    public static string Word(Verdict v) => v switch
    {
        Verdict.Baseline => "baseline",
        Verdict.Higher => "higher",
        Verdict.Lower => "lower",
        Verdict.NoChangeDetected => "~",
        Verdict.TooFewRuns => "too_few_runs",
        Verdict.OneRun => "one_run_a_side",
        _ => "missing_on_one_side",
    };
}
