using System.Runtime.InteropServices;

namespace Pab.Common;

/// <summary>The few libc calls the tools need that .NET does not wrap.</summary>
public static unsafe partial class Native
{
    public const int O_WRONLY = 1, O_RDWR = 2, O_CLOEXEC = 0x80000;
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, ENOEXEC = 8, ECHILD = 10, EAGAIN = 11, ENOMEM = 12,
        EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOTTY = 25, ENOSYS = 38;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sched_getaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport("libc")]
    public static partial int gettid();

    /// <summary>setpriority(PRIO_PROCESS, tid, nice): on Linux, for one thread.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int setpriority(int which, int who, int nice);

    [LibraryImport("libc")]
    public static partial int geteuid();

    [LibraryImport("libc")]
    public static partial nint strerror(int errnum);

    public const short POLLIN = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);

    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    /// <summary>Sends a signal (pab-antagonize forwards SIGTERM to its command; pab-exhaust kills its child).</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";
}
