using System.Globalization;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;

namespace Pab.Common;

/// <summary>
/// How pab-antagonize --idle-first and the command it wraps agree on phases, over two inherited pipes
/// named in PAB_PHASE_FDS ("READ,WRITE" from the command's side). Per order, the antagonist says
/// "ready N" once its workers for order N are set up and parked; the command measures idle, says
/// "antagonize", and the antagonist answers "steady" once its workers are at steady state (or
/// "stopped"); the command measures antagonized and says "next". After the last order the
/// antagonist says "end". One command process and one antagonist thus serve every phase of every
/// order: nothing of ours starts while the antagonist runs, and what our processes hold is the same
/// in both phases of an order.
/// </summary>
public static unsafe partial class PhaseLink
{
    public const string Variable = "PAB_PHASE_FDS";
    public const string Ready = "ready", Antagonize = "antagonize", Steady = "steady", Stopped = "stopped", Next = "next", End = "end";

    /// <summary>The antagonist's word for an order whose workers are set up and parked.</summary>
    public static string ReadyFor(int order) => $"{Ready} {order.ToString(CultureInfo.InvariantCulture)}";

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int arg);


    /// <summary>The command's end of the link.</summary>
    public sealed class CommandEnd(int readFd, int writeFd)
    {
        /// <summary>Sends one word.</summary>
        public string? Send(string word)
        {
            byte[] line = Encoding.ASCII.GetBytes(word + "\n");
            fixed (byte* p = line)
                if (write(writeFd, p, (nuint)line.Length) != line.Length)
                    return $"telling pab-antagonize '{word}': {Native.ErrorText(Marshal.GetLastPInvokeError())}";
            return null;
        }

        /// <summary>Waits for <paramref name="word"/>; null when it came, else what came instead. Polls so a signal (<paramref name="cancelled"/>) ends the wait.</summary>
        public string? WaitFor(string word, Func<bool> cancelled)
        {
            var (line, error) = ReadLine(word, cancelled);
            return error ?? (line == word ? null : $"pab-antagonize said '{line}' instead of '{word}'");
        }

        /// <summary>
        /// Waits for the next order ("ready N": its number) or the end ("end": null order, null error);
        /// else the error says what came instead.
        /// </summary>
        public (int? Order, string? Error) WaitForOrder(Func<bool> cancelled)
        {
            var (line, error) = ReadLine(Ready, cancelled);
            if (error != null) return (null, error);
            if (line == End) return (null, null);
            if (line!.StartsWith(Ready + " ", StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(Ready.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int order))
                return (order, null);
            return (null, $"pab-antagonize said '{line}' instead of 'ready ORDER' or 'end'");
        }

        private (string? Line, string? Error) ReadLine(string awaited, Func<bool> cancelled)
        {
            var got = new List<byte>();
            byte b;
            while (true)
            {
                var fd = new Native.PollFd { Fd = readFd, Events = Native.POLLIN };
                if (cancelled()) return (null, "interrupted");
                if (Native.poll(&fd, 1, 200) <= 0) continue;
                nint n = read(readFd, &b, 1);
                if (n < 0 && Marshal.GetLastPInvokeError() == Native.EINTR) continue;
                if (n <= 0) return (null, $"pab-antagonize went away before saying '{awaited}'");
                if (b == '\n') break;
                if (got.Count < 256) got.Add(b);
            }
            return (Encoding.ASCII.GetString([.. got]), null);
        }
    }

    /// <summary>The link from PAB_PHASE_FDS, its fds made close-on-exec so our own children do not hold them; null when not set.</summary>
    public static CommandEnd? FromEnvironment(Func<string, string?> env, out string? error)
    {
        error = null;
        if (env(Variable) is not { Length: > 0 } text) return null;
        string[] parts = text.Split(',');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int r)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int w))
        {
            error = $"{Variable}: '{text}' is not READ,WRITE file descriptors (set by pab-antagonize --idle-first)";
            return null;
        }
        const int F_SETFD = 2, FD_CLOEXEC = 1;
        if (fcntl(r, F_SETFD, FD_CLOEXEC) != 0 || fcntl(w, F_SETFD, FD_CLOEXEC) != 0)
        {
            error = $"{Variable}: descriptors {text} are not open (run under pab-antagonize --idle-first)";
            return null;
        }
        return new CommandEnd(r, w);
    }

    /// <summary>The antagonist's end: two pipes whose other ends the started command inherits.</summary>
    public sealed class AntagonistEnd : IDisposable
    {
        private readonly AnonymousPipeServerStream _toCommand = new(PipeDirection.Out, HandleInheritability.Inheritable);
        private readonly AnonymousPipeServerStream _fromCommand = new(PipeDirection.In, HandleInheritability.Inheritable);
        private readonly StreamReader _reader;

        public AntagonistEnd() => _reader = new StreamReader(_fromCommand, Encoding.ASCII);

        /// <summary>The value of PAB_PHASE_FDS for the command.</summary>
        public string Variable => $"{_toCommand.GetClientHandleAsString()},{_fromCommand.GetClientHandleAsString()}";

        /// <summary>Once the command has started: only it holds its ends now, so its exit ends our reads.</summary>
        public void Started()
        {
            _toCommand.DisposeLocalCopyOfClientHandle();
            _fromCommand.DisposeLocalCopyOfClientHandle();
        }

        /// <summary>Sends a word; false when the command is gone.</summary>
        public bool Send(string word)
        {
            try
            {
                _toCommand.Write(Encoding.ASCII.GetBytes(word + "\n"));
                _toCommand.Flush();
                return true;
            }
            catch (IOException) { return false; }
        }

        /// <summary>The next word from the command; null at its end.</summary>
        public string? Receive()
        {
            try { return _reader.ReadLine(); }
            catch (IOException) { return null; }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _toCommand.Dispose();
            _fromCommand.Dispose();
        }
    }
}
