using System.Runtime.InteropServices;

namespace Pab.Common;

/// <summary>The few libc calls the tools need that .NET does not wrap.</summary>
public static unsafe partial class Native
{
    public const int O_RDWR = 2, O_CLOEXEC = 0x80000;
    public const int EINTR = 4, ENOENT = 2, ENOMEM = 12, EINVAL = 22, EFAULT = 14, ENOTTY = 25, EPERM = 1, EACCES = 13, EBUSY = 16, EIO = 5;

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

    [LibraryImport("libc")]
    public static partial int geteuid();

    [LibraryImport("libc")]
    public static partial nint strerror(int errnum);

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";
}
