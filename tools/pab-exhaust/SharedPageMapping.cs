using System.Runtime.InteropServices;
using Pab.Common;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>One iteration's shared page: a memfd (the child's fd 3) mapped here, the settings written in.</summary>
public sealed unsafe class SharedPageMapping : IDisposable
{
    private readonly nuint _size;

    private SharedPageMapping(int fd, SharedPage* page, nuint size)
    {
        Fd = fd;
        Page = page;
        _size = size;
    }

    public int Fd { get; }
    public SharedPage* Page { get; }

    /// <summary>The mapped page with <paramref name="settings"/> in it; null, and why, when the kernel refuses.</summary>
    public static SharedPageMapping? Create(ExhaustSettings settings, out string? error)
    {
        error = null;
        nuint size = (nuint)Environment.SystemPageSize;
        int memfd = memfd_create("pab-exhaust-counter", MFD_CLOEXEC);
        if (memfd < 0 || ftruncate(memfd, (long)size) != 0)
        {
            error = $"cannot create the shared counter (memfd_create/ftruncate): {Native.ErrorText(Marshal.GetLastPInvokeError())}";
            if (memfd >= 0) Native.close(memfd);
            return null;
        }
        var page = (SharedPage*)mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if ((nint)page == MapFailed)
        {
            error = $"cannot map the shared counter: {Native.ErrorText(Marshal.GetLastPInvokeError())}";
            Native.close(memfd);
            return null;
        }
        *page = default;
        page->Magic = SharedPage.ExpectedMagic;
        page->ParentPid = Environment.ProcessId;
        page->Workers = settings.Workers;
        page->ChunkBytes = settings.ChunkBytes;
        page->MmapBytes = settings.MmapBytes;
        page->MaxBytes = settings.MaxBytes ?? 0;
        page->ForceTouch = settings.ForceTouch ? 1 : 0;
        page->HugePages = settings.HugePages ? 1 : 0;
        return new SharedPageMapping(memfd, page, size);
    }

    public void Dispose()
    {
        munmap(Page, _size);
        Native.close(Fd);
    }
}
