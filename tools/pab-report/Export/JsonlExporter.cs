using System.Text.Json;
using Pab.Common;

namespace Pab.Report.Export;

/// <summary>The merged records: meta first, then each kept record, the computed ones, and events.</summary>
public sealed class JsonlExporter : IExporter<ReportContent>
{
    public void Export(ReportContent report, Stream output)
    {
        var data = report.Data;
        var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { SkipValidation = true });
        void Write(Record r)
        {
            RecordJson.Write(writer, r);
            writer.Flush();
            buffered.WriteByte((byte)'\n');
            writer.Reset();
        }
        foreach (var run in data.Runs)
            foreach (var meta in run.Meta) Write(meta);
        foreach (var series in data.AllSeries)
            foreach (var c in series.Items) Write(c.ToRecord());
        foreach (var e in data.Events) Write(e);
        buffered.Flush();
    }
}
