using System.Buffers;
using System.Text.Json;
using Pab.Common;

namespace Pab.Report.Input;

/// <summary>
/// Streams records out of JSON lines, or imports the original tool's single JSON object.
/// Lines are cut out of one growing pooled buffer, so memory follows the longest line, not the input.
/// </summary>
public static class InputReader
{
    private const int InitialBuffer = 4 << 20;
    /// <summary>Below this many bytes a batch is parsed on the calling thread: not worth waking another.</summary>
    private const int ParallelThreshold = 256 << 10;

    private readonly record struct PendingLine(int Start, int Length, long Number, bool Terminated);

    private record struct Parsed(Record? Record, ValueChunk? Values, InputProblem? Problem);

    // Each parsing thread reuses its own values buffer.
    [ThreadStatic] private static long[]? t_values;

    /// <summary>Longest line read (a samples record of 50,000 values is ~400 KB); longer ones are refused, not buffered.</summary>
    public const int MaxLineBytes = 64 << 20;

    public static void Read(InputSource source, IRecordSink sink) => Read(source, sink, MaxLineBytes);

    /// <summary>Reads <paramref name="source"/>, refusing lines of <paramref name="maxLine"/> bytes or more.</summary>
    public static void Read(InputSource source, IRecordSink sink, int maxLine)
    {
        Stream stream;
        try { stream = source.Open(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            sink.Problem(new InputProblem(Severity.Error, new SourcePos(source.Name, 0), $"cannot read: {Pab.Common.Cli.IoText.Reason(source.Name, e)}"));
            return;
        }
        using (stream)
        {
            try
            {
                using var text = TextInput.Decompressed(stream);
                ReadStream(source, text, sink, maxLine);
            }
            catch (InvalidDataException e)
            {
                sink.Problem(new InputProblem(Severity.Error, new SourcePos(source.Name, 0), $"not valid gzip: {e.Message}"));
            }
            catch (IOException e)
            {
                sink.Problem(new InputProblem(Severity.Error, new SourcePos(source.Name, 0), $"read failed: {e.Message}"));
            }
        }
    }

    private static void ReadStream(InputSource source, Stream stream, IRecordSink sink, int maxLine)
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBuffer, maxLine));
        try
        {
            int start = 0, end = 0, scanned = 0;
            bool eof = false;
            long lineNo = 0;
            end = Fill(stream, buf, 0, ref eof);
            if (TextInput.NotText(buf.AsSpan(0, end), eof) is { } why)
            {
                sink.Problem(new InputProblem(Severity.Error, new SourcePos(source.Name, 0), TextInput.Refusal(why)));
                return;
            }
            if (end >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) start = scanned = 3;
            if (LooksLikeOriginal(buf.AsSpan(start, end - start), eof))
            {
                ReadOriginal(source, stream, buf.AsSpan(start, end - start), sink, maxLine);
                return;
            }
            var batch = new List<PendingLine>();
            while (true)
            {
                // Cut every complete line in the buffer, parse them together, then make room.
                int nl;
                while ((nl = buf.AsSpan(scanned, end - scanned).IndexOf((byte)'\n')) >= 0)
                {
                    int stop = scanned + nl;
                    if (stop - start >= maxLine) TooLong(source, ++lineNo, maxLine, sink);
                    else batch.Add(new PendingLine(start, stop - start, ++lineNo, true));
                    start = scanned = stop + 1;
                }
                scanned = end; // what is left holds no newline
                if (end - start >= maxLine)
                {
                    // Refuse the line without holding it: drop bytes up to its newline.
                    ParseBatch(buf, batch, source.Name, sink);
                    batch.Clear();
                    TooLong(source, ++lineNo, maxLine, sink);
                    int after = SkipLine(stream, buf, ref eof);
                    start = scanned = 0;
                    end = after < 0 ? 0 : after;
                    if (after < 0 && eof) return;
                    end += Fill(stream, buf, end, ref eof);
                    continue;
                }
                if (eof && start < end)
                {
                    batch.Add(new PendingLine(start, end - start, ++lineNo, false));
                    start = end;
                }
                ParseBatch(buf, batch, source.Name, sink);
                batch.Clear();
                if (eof) return;
                // Keep the unfinished line; make room for more of it.
                int pending = end - start;
                scanned -= start;
                if (start > 0)
                {
                    Buffer.BlockCopy(buf, start, buf, 0, pending);
                }
                else if (pending == buf.Length)
                {
                    byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buf.Length * 2L, maxLine));
                    Buffer.BlockCopy(buf, 0, bigger, 0, pending);
                    ArrayPool<byte>.Shared.Return(buf);
                    buf = bigger;
                }
                start = 0;
                end = pending + Fill(stream, buf, pending, ref eof);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private static void TooLong(InputSource source, long line, int maxLine, IRecordSink sink) =>
        sink.Problem(new InputProblem(Severity.Error, new SourcePos(source.Name, line),
            $"line reaches the limit of {ByteSize.Format(maxLine)} per line; refused without reading it whole (no record is that long: is this a records file?)"));

    /// <summary>
    /// Reads on until the current line's newline, reusing <paramref name="buf"/>; moves what follows it to the
    /// start of the buffer and returns its length, or -1 when the input ended first.
    /// </summary>
    private static int SkipLine(Stream stream, byte[] buf, ref bool eof)
    {
        while (!eof)
        {
            int n = Fill(stream, buf, 0, ref eof);
            int nl = buf.AsSpan(0, n).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int rest = n - nl - 1;
                Buffer.BlockCopy(buf, nl + 1, buf, 0, rest);
                return rest;
            }
        }
        return -1;
    }

    // The original's output is one JSON object (often one line): read whole, within the same limit.
    private static void ReadOriginal(InputSource source, Stream stream, ReadOnlySpan<byte> first, IRecordSink sink, int maxLine)
    {
        var whole = new MemoryStream();
        whole.Write(first);
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (whole.Length + n >= maxLine)
            {
                sink.Problem(new InputProblem(Severity.Error, new SourcePos(source.Name, 1),
                    $"the original tool's JSON is larger than the limit of {ByteSize.Format(maxLine)}; not read"));
                return;
            }
            whole.Write(chunk, 0, n);
        }
        OriginalFormat.Import(source, whole.GetBuffer().AsSpan(0, (int)whole.Length), sink);
    }

    private static int Fill(Stream stream, byte[] buf, int offset, ref bool eof)
    {
        int total = 0;
        while (offset + total < buf.Length)
        {
            int n = stream.Read(buf, offset + total, buf.Length - offset - total);
            if (n == 0) { eof = true; break; }
            total += n;
        }
        return total;
    }

    /// <summary>Parses a batch of lines (in parallel when large: a samples line is ~400 KB) and hands them on in input order.</summary>
    private static void ParseBatch(byte[] buf, List<PendingLine> batch, string file, IRecordSink sink)
    {
        if (batch.Count == 0) return;
        var results = new Parsed[batch.Count];
        long bytes = 0;
        foreach (var line in batch) bytes += line.Length;
        if (batch.Count > 1 && bytes >= ParallelThreshold)
            Parallel.For(0, batch.Count, i => results[i] = ParseLine(buf, batch[i], file));
        else
            for (int i = 0; i < batch.Count; i++) results[i] = ParseLine(buf, batch[i], file);
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i].Problem is { } problem) sink.Problem(problem);
            else if (results[i].Record is { } record) sink.Accept(record, results[i].Values, new SourcePos(file, batch[i].Number));
        }
    }

    private static Parsed ParseLine(byte[] buf, PendingLine pending, string file)
    {
        var line = new ReadOnlySpan<byte>(buf, pending.Start, pending.Length);
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        if (Blank(line)) return default;
        var where = new SourcePos(file, pending.Number);
        t_values ??= new long[1024];
        try
        {
            var record = RecordParser.Parse(line, ref t_values, out var chunk);
            return new Parsed(record, chunk, null);
        }
        catch (Exception e) when (e is JsonException or BadRecordException or InvalidOperationException or FormatException)
        {
            string reason = e is JsonException j ? Clean(j) : e.Message;
            // A writer killed mid-line leaves an unterminated last line: expected damage, not a broken file.
            return new Parsed(null, null, pending.Terminated
                ? new InputProblem(Severity.Error, where, $"malformed record: {reason}")
                : new InputProblem(Severity.Warning, where, $"truncated last line skipped ({reason}); the writer was probably killed mid-line"));
        }
    }

    private static bool Blank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    // Utf8JsonReader's messages name the line of the parsed span (always 0 here) and the byte position; keep the useful part.
    private static string Clean(JsonException e)
    {
        string m = e.Message;
        int i = m.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (i > 0) m = m[..i];
        return e.BytePositionInLine is long p ? $"{m.TrimEnd('.')} (at byte {p + 1})" : m;
    }

    /// <summary>
    /// The original wrote one object of arrays (<c>{"idle_available_bytes_order0": [...], ...}</c>); our records are
    /// objects of scalars. Telling them apart needs only the first property's value.
    /// </summary>
    internal static bool LooksLikeOriginal(ReadOnlySpan<byte> head, bool isFinal)
    {
        var reader = new Utf8JsonReader(head, isFinal, default);
        try
        {
            if (!(reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName))
                return false;
            // The first version's only field was a number: {"memory_available_diff_bytes": 123}.
            bool firstVersion = reader.ValueTextEquals(Metrics.MemoryAvailableDiffBytes);
            return reader.Read() && (reader.TokenType == JsonTokenType.StartArray || (firstVersion && reader.TokenType == JsonTokenType.Number));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
