using System.Runtime.InteropServices;
using System.Text;

namespace Pab.Common;

/// <summary>
/// One open file of /proc/page_alloc_bench. Pages allocated through it belong
/// to it and are freed by the module when it is closed.
/// </summary>
public sealed unsafe class ModuleClient : IDisposable
{
    private int _fd;

    private ModuleClient(int fd) => _fd = fd;

    /// <summary>Opens the module's file; throws <see cref="ModuleException"/> with ENOENT when it is not loaded.</summary>
    public static ModuleClient Open(string path = Abi.ProcPath)
    {
        int fd = Native.open(path, Native.O_RDWR | Native.O_CLOEXEC);
        if (fd < 0)
            throw new ModuleException($"open {path}", Marshal.GetLastPInvokeError());
        return new ModuleClient(fd);
    }

    private int Ioctl(uint request, void* arg)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        int rc;
        do rc = Native.ioctl(_fd, request, arg);
        while (rc < 0 && Marshal.GetLastPInvokeError() == Native.EINTR);
        return rc < 0 ? Marshal.GetLastPInvokeError() : 0;
    }

    public ModuleInfo Info()
    {
        PabInfo info;
        int err = Ioctl(Abi.Info, &info);
        if (err != 0) throw new ModuleException("info", err);
        var version = new ReadOnlySpan<byte>(info.ModuleVersion, Abi.VersionLength);
        int nul = version.IndexOf((byte)0);
        return new ModuleInfo(info.AbiVersion, info.MaxOrder, info.FileOutstanding, info.TotalOutstanding,
            info.TotalOutstandingPages, Encoding.UTF8.GetString(nul < 0 ? version : version[..nul]));
    }

    /// <summary>The original's single-page call. Returns errno (0 on success).</summary>
    public int TryAllocPage(int order, out PabAllocPage result)
    {
        result = new PabAllocPage { Order = order };
        fixed (PabAllocPage* p = &result) return Ioctl(Abi.AllocPage, p);
    }

    public int TryFreePage(ulong id, out long latencyNs)
    {
        var arg = new PabFreePage { Id = id };
        int err = Ioctl(Abi.FreePage, &arg);
        latencyNs = arg.LatencyNs;
        return err;
    }

    /// <summary>Allocates entries.Length blocks; returns errno (0, or ENOMEM with <paramref name="done"/> blocks made).</summary>
    public int TryAllocBatch(int order, Span<PabBatchEntry> entries, out int done) =>
        Batch(Abi.AllocBatch, order, entries, out done);

    /// <summary>Frees the ids in entries; returns errno (0, or ENOENT at the first id this file does not hold).</summary>
    public int TryFreeBatch(Span<PabBatchEntry> entries, out int done) =>
        Batch(Abi.FreeBatch, 0, entries, out done);

    /// <summary>Allocates entries.Length blocks onto the back of this file's queue for order (ids: their places in it); returns errno (0, or ENOMEM with <paramref name="done"/> made).</summary>
    public int TryQueueAlloc(int order, Span<PabBatchEntry> entries, out int done) =>
        Batch(Abi.QueueAlloc, order, entries, out done);

    /// <summary>Frees the entries.Length oldest blocks of this file's queue for order, writing their places as ids; returns errno (0, or ENOENT when the queue ran empty after <paramref name="done"/>).</summary>
    public int TryQueueFree(int order, Span<PabBatchEntry> entries, out int done) =>
        Batch(Abi.QueueFree, order, entries, out done);

    /// <summary>
    /// QUEUE_ALLOC_MODE: as <see cref="TryQueueAlloc"/> with GFP mode <paramref name="gfp"/> (Abi.Gfp*) and, when
    /// <paramref name="bulk"/> is not 0, through alloc_pages_bulk() calls of that many pages (order 0), each call's
    /// latency on its first entry and 0 on the others. Returns errno (0, or ENOMEM with <paramref name="done"/> made).
    /// </summary>
    public int TryQueueAllocMode(int order, uint gfp, uint bulk, Span<PabBatchEntry> entries, out int done)
    {
        fixed (PabBatchEntry* e = entries)
        {
            var arg = new PabQueueAllocMode { Entries = (ulong)e, Count = (uint)entries.Length, Order = order, Gfp = gfp, Bulk = bulk };
            int err = Ioctl(Abi.QueueAllocMode, &arg);
            done = (int)arg.Done;
            return err;
        }
    }

    private int Batch(uint request, int order, Span<PabBatchEntry> entries, out int done)
    {
        fixed (PabBatchEntry* e = entries)
        {
            var batch = new PabBatch { Entries = (ulong)e, Count = (uint)entries.Length, Order = order };
            int err = Ioctl(request, &batch);
            done = (int)batch.Done;
            return err;
        }
    }

    public PabSelftest Selftest(int order, uint hold, ulong count)
    {
        var arg = new PabSelftest { Order = order, Hold = hold, Count = count };
        int err = Ioctl(Abi.Selftest, &arg);
        if (err != 0) throw new ModuleException("selftest", err);
        return arg;
    }

    /// <summary>
    /// The high-order probe: latencies.Length attempts at <paramref name="order"/> in <paramref name="mode"/>
    /// (<see cref="Abi.ProbeNoCompact"/>, <see cref="Abi.ProbeCompact"/>), each one's latency written to
    /// <paramref name="latencies"/>; every block got is freed before it returns. Throws <see cref="ModuleException"/>.
    /// </summary>
    public PabProbe Probe(int order, uint mode, Span<long> latencies)
    {
        fixed (long* l = latencies)
        {
            var arg = new PabProbe { Latencies = (ulong)l, Count = (uint)latencies.Length, Order = order, Mode = mode };
            int err = Ioctl(Abi.Probe, &arg);
            if (err != 0) throw new ModuleException("probe", err);
            return arg;
        }
    }

    /// <summary>Raw ioctl, for tests that send what the tools never would.</summary>
    public int RawIoctl(uint request, void* arg) => Ioctl(request, arg);

    public void Dispose()
    {
        if (_fd >= 0) Native.close(_fd);
        _fd = -1;
    }
}
