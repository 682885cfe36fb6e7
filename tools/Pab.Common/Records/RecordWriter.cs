namespace Pab.Common;

/// <summary>Writes records to a stream, one line each, flushed at once so a killed pipeline keeps every finished line.</summary>
public sealed class RecordWriter(Stream stream, string tool)
{
    private readonly Stream _stream = stream;
    private readonly Lock _lock = new();

    public static RecordWriter Stdout(string tool) => new(Console.OpenStandardOutput(), tool);

    public string Tool { get; } = tool;
    public string Run { get; init; } = RunContext.RunId;
    /// <summary>Stamped on every record written while set: the antagonist's CPU count of a sweep's phase (null: none).</summary>
    public int? AntagonistCpus { get; set; }

    public void Write(Record record)
    {
        record.Tool ??= Tool;
        record.ToolVersion ??= ToolInfo.Version;
        record.Run ??= Run;
        record.Time ??= DateTimeOffset.UtcNow;
        record.AntagonistCpus ??= AntagonistCpus;
        if (record.Type == RecordType.Meta && ProcessAge.Seconds() is double age)
            (record.Details ??= [])["process_age_s"] = age;
        var json = RecordJson.ToUtf8Bytes(record);
        // One write for the line and its newline: a wrapped command shares stdout, and its output
        // must not land between the two.
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        lock (_lock)
        {
            _stream.Write(line);
            _stream.Flush();
        }
    }
}
