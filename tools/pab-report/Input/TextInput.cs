using System.IO.Compression;
using System.Text.Unicode;

namespace Pab.Report.Input;

/// <summary>
/// What an input's first bytes say: gzip (read through a decompressor, by magic bytes, so stdin and any
/// file name work), or text, or something else that is refused once rather than line by line.
/// </summary>
public static class TextInput
{
    private const int Sniffed = 64 << 10;

    /// <summary>The stream to read records from: <paramref name="raw"/> itself, or its gzip-decompressed content.</summary>
    public static Stream Decompressed(Stream raw)
    {
        var head = new byte[2];
        int n = 0;
        while (n < head.Length)
        {
            int r = raw.Read(head, n, head.Length - n);
            if (r == 0) break;
            n += r;
        }
        var replayed = new PrefixedStream(head.AsSpan(0, n).ToArray(), raw);
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(replayed, CompressionMode.Decompress) : replayed;
    }

    /// <summary>Why the first block of an input is not text (a NUL byte, invalid UTF-8), or null when it is.</summary>
    public static string? NotText(ReadOnlySpan<byte> first, bool isFinal)
    {
        if (first.Length > Sniffed) { first = first[..Sniffed]; isFinal = false; }
        int nul = first.IndexOf((byte)0);
        if (nul >= 0) return $"it is not text (a NUL byte at byte {nul + 1})";
        var chars = new char[first.Length];
        var status = Utf8.ToUtf16(first, chars, out int read, out _, replaceInvalidSequences: false, isFinalBlock: isFinal);
        // NeedMoreData: the block ends inside a character, which the next block completes.
        return status is System.Buffers.OperationStatus.InvalidData ? $"it is not text (invalid UTF-8 at byte {read + 1})" : null;
    }

    /// <summary>The message for an input that is refused whole as not text.</summary>
    public static string Refusal(string why) =>
        $"{why}; pab-report reads JSON lines or the original tool's JSON, plain or gzip-compressed";

    /// <summary>A few bytes already read, then the rest of the stream.</summary>
    private sealed class PrefixedStream(byte[] head, Stream rest) : Stream
    {
        private int _pos;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_pos < head.Length)
            {
                int n = Math.Min(buffer.Length, head.Length - _pos);
                head.AsSpan(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }
            return rest.Read(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
