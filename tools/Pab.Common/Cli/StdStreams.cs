using System.Runtime.InteropServices;

namespace Pab.Common.Cli;

/// <summary>
/// Whether stdin and stdout are usable, to name the stream when an I/O error has no better words:
/// a closed stdout (<c>&gt;&amp;-</c>) is often fd 1 reused read-only by the runtime, which .NET
/// then reports as "Access to the path is denied".
/// </summary>
public static partial class StdStreams
{
    private const int F_GETFL = 3, O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1;

    [LibraryImport("libc")]
    private static partial int fcntl(int fd, int cmd);

    public static bool StdoutWritable => fcntl(1, F_GETFL) is int f && f >= 0 && (f & O_ACCMODE) != O_RDONLY;

    public static bool StdinReadable => fcntl(0, F_GETFL) is int f && f >= 0 && (f & O_ACCMODE) != O_WRONLY;

    /// <summary>What went wrong with an I/O error that reached Main, in a few words.</summary>
    public static string Describe(Exception e) =>
        !StdoutWritable ? "standard output is closed or not open for writing"
        : !StdinReadable ? "standard input is closed or not open for reading"
        : e is UnauthorizedAccessException ? "permission denied" : e.Message;
}
