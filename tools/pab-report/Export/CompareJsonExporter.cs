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
        foreach (var row in cmp.Rows) WriteRow(w, cmp, row, headline: true);
        w.WriteEndArray();
        // The kernel's account compared (AccountComparison): explanatory rows with their own false-alarm count.
        w.WriteNumber("account_tested", cmp.AccountTested);
        w.WriteNumber("account_called", cmp.AccountCalled);
        w.WriteStartArray("account_rows");
        foreach (var row in cmp.AccountRows) WriteRow(w, cmp, row, headline: false);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter w, Comparison cmp, ComparisonRow row, bool headline)
    {
        w.WriteStartObject();
        JsonSummaryExporter.WriteKey(w, row.Key);
        w.WriteString("unit", row.Unit);
        w.WriteString("summary", row.How);
        int preferred = Preferred.Direction(row.Key.Metric);
        if (preferred != 0) w.WriteString("preferred", preferred > 0 ? "higher" : "lower");
        w.WriteStartArray("sides");
        for (int i = 0; i < row.Sides.Count; i++)
        {
            var side = row.Sides[i];
            w.WriteStartObject();
            w.WriteString("side", side.Name);
            w.WriteNumber("runs", side.Runs);
            w.WriteStartArray("run_values");
            foreach (var r in side.Row?.Runs ?? []) w.WriteNumberValue(r.Value);
            w.WriteEndArray();
            w.WriteString("verdict", Word(side.Verdict));
            if (Preferred.Judge(row.Key.Metric, side.Verdict) is { } judgement) w.WriteString("judgement", judgement);
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
            // A changed headline row: the explanatory rows that changed with it, as the text's "with it" line.
            if (headline && i > 0 && side.Verdict is Verdict.Higher or Verdict.Lower && cmp.AccountRows.Count > 0)
            {
                w.WriteStartArray("with_it");
                foreach (var (a, aSide) in AccountComparison.ChangedWith(cmp, row, i))
                {
                    w.WriteStartObject();
                    w.WriteString("metric", a.Key.Metric);
                    w.WriteString("verdict", Word(aSide.Verdict));
                    if (Preferred.Judge(a.Key.Metric, aSide.Verdict) is { } j) w.WriteString("judgement", j);
                    w.WriteNumber("change", aSide.Shift!.Change);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
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
