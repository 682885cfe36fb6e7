using System.IO.Compression;
using System.Text;
using Pab.Common;
using static Pab.Tests.Report.ReportTestData;
using Pab.Report.Input;
using Pab.Report.Merge;
using Pab.Report.Compare;
using Pab.Report.Commands;

namespace Pab.Tests.Report;

/// <summary>Compressed, binary, empty, impossible and oversized input: read as it is, or refused once and clearly.</summary>
public sealed class InputSafetyTests : IDisposable
{
    private const string Good = "{\"v\":1,\"type\":\"metric\",\"run\":\"A\",\"metric\":\"kernel_page_allocs\",\"order\":0,\"value\":5}";
    private readonly string _dir = Directory.CreateTempSubdirectory("pab-report-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static byte[] Gzip(string text)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Encoding.UTF8.GetBytes(text));
        return ms.ToArray();
    }

    /// <summary>A pipe: no seeking, reads in small pieces.</summary>
    private sealed class PipeLike(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 7));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 7)]);
    }

    [Fact]
    public void GzipJsonLinesAreReadByTheirMagicBytesWhateverTheName()
    {
        string lines = string.Join("\n", SmallRun().Select(Line)) + "\n";
        string gz = Path.Combine(_dir, "run.jsonl.gz"), unnamed = Path.Combine(_dir, "run-compressed");
        File.WriteAllBytes(gz, Gzip(lines));
        File.WriteAllBytes(unnamed, Gzip(lines));
        string plain = Path.Combine(_dir, "run.jsonl");
        File.WriteAllText(plain, lines);
        var expected = RunCli(plain, "--format", "csv");
        foreach (string file in new[] { gz, unnamed })
        {
            var (code, stdout, stderr) = RunCli(file, "--format", "csv");
            Assert.True(code == 0, stderr);
            Assert.DoesNotContain("bad record", stderr);
            Assert.Equal(expected.Stdout, stdout);
        }
    }

    [Fact]
    public void CompareSideDirectoryTakesCompressedFiles()
    {
        string side = Directory.CreateDirectory(Path.Combine(_dir, "side")).FullName;
        File.WriteAllBytes(Path.Combine(side, "run.jsonl.gz"), Gzip(string.Join("\n", SmallRun("B").Select(Line)) + "\n"));
        string baseline = Path.Combine(_dir, "a.jsonl");
        File.WriteAllText(baseline, string.Join("\n", SmallRun("A").Select(Line)) + "\n");
        var (code, stdout, stderr) = RunCli("compare", baseline, side);
        Assert.True(code == 0, stderr);
        Assert.EndsWith("run.jsonl.gz", Side.Parse(side, out _).Sources[0].Name);
        Assert.Contains("idle_available_bytes", stdout);
        Assert.Equal("run", Side.Parse(side, out _).Name);
    }

    [Fact]
    public void GzipFromAPipeAndConcatenatedMembersAreRead()
    {
        byte[] two = [.. Gzip(Good + "\n"), .. Gzip(Good.Replace("\"order\":0", "\"order\":1") + "\n")];
        var data = Merge(new InputSource(InputSource.StdinName, () => new PipeLike(two)));
        Assert.Empty(data.Problems);
        Assert.Equal([5L], ValuesOf(data, Metrics.KernelPageAllocs, 0));
        Assert.Equal([5L], ValuesOf(data, Metrics.KernelPageAllocs, 1));
    }

    [Fact]
    public void OriginalJsonGzipIsImported()
    {
        var data = Merge(InputSource.FromBytes("old.json.gz", Gzip("{\"kernel_page_allocs_order0\": [42]}")));
        Assert.Empty(data.Problems);
        Assert.Equal([42L], ValuesOf(data, Metrics.KernelPageAllocs, 0));
    }

    [Fact]
    public void DamagedGzipIsOneErrorForTheFile()
    {
        byte[] gz = Gzip(string.Join("\n", Enumerable.Repeat(Good, 1000)));
        gz[gz.Length / 2] ^= 0xff;
        var data = Merge(InputSource.FromBytes("cut.jsonl.gz", gz[..(gz.Length * 3 / 4)]));
        Assert.Contains(data.Problems, p => p.Severity == Severity.Error && p.Where.Line == 0);
        Assert.True(data.Problems.Count <= 2, string.Join("\n", data.Problems));
    }

    [Theory]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, (byte)'\n', 1, 2 }, "a NUL byte at byte 8")]
    [InlineData(new byte[] { (byte)'{', 0xff, 0xfe, (byte)'\n', (byte)'x', (byte)'\n' }, "invalid UTF-8 at byte 2")]
    public void BinaryIsRefusedOnceNamingTheFile(byte[] bytes, string why)
    {
        // Many lines of it, yet one message, and no byte of it echoed.
        byte[] big = Enumerable.Repeat(bytes, 500).SelectMany(b => b).ToArray();
        var problem = Assert.Single(Merge(InputSource.FromBytes("a.out", big)).Problems);
        Assert.Equal("a.out", problem.Where.ToString());
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.Contains(why, problem.Message);
        Assert.Contains("not text", problem.Message);
        Assert.All(problem.Message, c => Assert.True(c >= ' ' && c < 0x7f || c > 0xa0, $"control or binary character {(int)c} in the message"));
    }

    [Fact]
    public void Utf8CutAtTheEndOfTheFirstBlockIsText()
    {
        // "µ" is two bytes; a record of exactly 64 KiB minus one byte before it puts the cut between them.
        string pad = new('a', (64 << 10) - 1 - Good.Length - 15);
        string line = Good.Replace("\"value\":5", $"\"value\":5,\"note\":\"{pad}µ\"");
        var data = Merge(Text("u.jsonl", line + "\n" + Good.Replace("\"order\":0", "\"order\":2") + "\n"));
        Assert.Empty(data.Problems);
    }

    [Fact]
    public void EmptyInputIsAnErrorAndWritesNothing()
    {
        string empty = Path.Combine(_dir, "empty.jsonl");
        File.WriteAllText(empty, "\n\n");
        string output = Path.Combine(_dir, "out.json"), html = Path.Combine(_dir, "out.html"), md = Path.Combine(_dir, "out.md");
        var (code, stdout, stderr) = RunCli(empty, "--output-path", output, "--html", html, "--export-markdown", md, "--format", "text");
        Assert.Equal(1, code);
        Assert.Contains("no records in the input", stderr);
        Assert.Equal("", stdout);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(html));
        Assert.False(File.Exists(md));
    }

    [Fact]
    public void CompareSideWithNoRecordsIsAnError()
    {
        string empty = Path.Combine(_dir, "empty.jsonl"), full = Path.Combine(_dir, "full.jsonl");
        File.WriteAllText(empty, "");
        File.WriteAllText(full, string.Join("\n", SmallRun().Select(Line)) + "\n");
        var (code, _, stderr) = RunCli("compare", "a=" + full, "b=" + empty);
        Assert.Equal(1, code);
        Assert.Contains("[b] no records in the input", stderr);
    }

    [Theory]
    [InlineData("\"metric\":\"idle_available_bytes\",\"value\":-4096", "\"value\": -4096 is negative, impossible for idle_available_bytes")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"order\":0,\"value\":-1", "is negative")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"order\":-1,\"value\":1", "\"order\" -1 is out of range")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"order\":99,\"value\":1", "\"order\" 99 is out of range")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"iteration\":-2,\"value\":1", "\"iteration\" -2 is negative")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"cpu\":-1,\"value\":1", "\"cpu\" -1 is negative")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"value\":1,\"details\":{\"p50_ns\":-3}", "\"p50_ns\" is negative")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"value\":1,\"details\":{\"x\":1e999}", "details")]
    [InlineData("\"metric\":\"kernel_page_allocs\",\"value\":NaN", "invalid")]
    public void ImpossibleValuesAreBadRecordsNamingFileAndLine(string fields, string expected)
    {
        string line = "{\"v\":1,\"type\":\"metric\",\"run\":\"A\"," + fields + "}";
        var data = Merge(Text("bad.jsonl", Good + "\n" + line + "\n"));
        var problem = Assert.Single(data.Problems);
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.Equal("bad.jsonl:2", problem.Where.ToString());
        Assert.Contains(expected, problem.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NegativeLatencyInSamplesIsRefusedButADifferenceMayBeNegative()
    {
        var data = Merge(Source("s.jsonl", Samples("A", Metrics.KernelPageAllocLatenciesNs, [5, -7, 9], 0, 0),
            Metric("A", Metrics.MemoryAvailableDiffBytes, -4096, 0, 0)));
        var problem = Assert.Single(data.Problems);
        Assert.Equal("s.jsonl:1", problem.Where.ToString());
        Assert.Contains("\"values\" item 1: -7 is negative", problem.Message);
        Assert.Equal([-4096L], ValuesOf(data, Metrics.MemoryAvailableDiffBytes, 0));
    }

    [Fact]
    public void OriginalWithNegativeBytesIsRefused()
    {
        var problem = Assert.Single(Merge(Text("old.json", "{\n \"idle_available_bytes\": [900,\n -1]\n}")).Problems);
        Assert.Equal(Severity.Error, problem.Severity);
        Assert.StartsWith("old.json:", problem.Where.ToString());
        Assert.Contains("-1 is negative", problem.Message);
    }

    [Fact]
    public void LineAtTheLimitIsRefusedNamingLineAndLimitAndTheRestIsRead()
    {
        var sink = new Merger();
        string huge = "{\"v\":1,\"type\":\"samples\",\"values\":[" + string.Join(",", Enumerable.Repeat("1", 5000)) + "]}";
        string text = Good + "\n" + huge + "\n" + Good.Replace("\"order\":0", "\"order\":1") + "\n" + huge;
        InputReader.Read(Text("long.jsonl", text), sink, maxLine: 1024);
        var data = sink.Finish();
        Assert.Equal(["long.jsonl:2", "long.jsonl:4"], data.Problems.Select(p => p.Where.ToString()));
        Assert.All(data.Problems, p => Assert.Contains("limit of 1.00 KiB", p.Message));
        Assert.Equal([5L], ValuesOf(data, Metrics.KernelPageAllocs, 1));
    }

    /// <summary>Endless bytes with no newline, made as read: never held in memory by the test.</summary>
    private sealed class NoNewline(long length) : Stream
    {
        private long _left = length;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, _left);
            buffer[..n].Fill((byte)'1');
            _left -= n;
            return n;
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

    [Fact]
    public void A300MegabyteLineIsRefusedWithoutBufferingIt()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sink = new Merger();
        InputReader.Read(new InputSource("huge.jsonl", () => new NoNewline(300L << 20)), sink);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var problem = Assert.Single(sink.Finish().Problems);
        Assert.Equal("huge.jsonl:1", problem.Where.ToString());
        Assert.Contains("limit of 64.0 MiB", problem.Message);
        Assert.True(allocated < 200L << 20, $"allocated {allocated >> 20} MiB reading one refused line");
    }
}
