using System.Diagnostics;
using System.Runtime.InteropServices;
using Pab.Common;
using static Pab.Common.Native;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>
/// The hidden mode in which pab-exhaust runs as its own child: it raises its
/// oom_score_adj to 1000, then one pinned worker per CPU maps memory in pieces and
/// populates it chunk by chunk, counting each whole chunk in the shared page, until
/// the OOM killer ends it. Nothing here writes to stdout or allocates while filling.
/// </summary>
public static unsafe class ChildMode
{
    public const string Verb = "__pab-exhaust-child";

    private static SharedPage* s_page;
    private static volatile bool s_go;
    private static volatile bool s_stop;

    public static int Run()
    {
        var page = (SharedPage*)mmap(null, (nuint)Environment.SystemPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, SharedPage.ChildFd, 0);
        if ((nint)page == MapFailed || page->Magic != SharedPage.ExpectedMagic)
        {
            Console.Error.WriteLine("pab-exhaust: child mode is internal: run pab-exhaust without " + Verb);
            return 70;
        }
        s_page = page;

        // Never outlive the parent: an orphan would fill memory with nobody counting.
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != page->ParentPid)
            return Fail(ChildError.ParentGone, 0, 0);

        int err = OomScoreAdj.TrySet(1000);
        if (err != 0)
            return Fail(ChildError.OomScoreAdj, err, 0);

        page->PieceBytes = page->MmapBytes;
        err = CpuAffinity.TryAllowed(0, out int[] cpus);
        if (err != 0)
            return Fail(ChildError.Affinity, err, -1);
        if (cpus.Length == 0) cpus = [0];
        var threads = new Thread[page->Workers];
        using var ready = new CountdownEvent(threads.Length);
        for (int i = 0; i < threads.Length; i++)
        {
            int cpu = cpus[i % cpus.Length];
            threads[i] = new Thread(() => Worker(cpu, ready), 256 * 1024) { IsBackground = true, Name = "fill" };
            threads[i].Start();
        }
        ready.Wait();
        if (page->Error != 0)
            return Fail((ChildError)page->Error, page->ErrorErrno, page->ErrorSize);
        page->BaselineRssBytes = ProcStatus.ReadRssBytes("/proc/self/status") ?? 0;
        page->ReadyTicks = Stopwatch.GetTimestamp();
        Volatile.Write(ref page->State, (int)ChildState.Ready);

        // The parent reads what it needs from before the fill, then says go.
        while (Volatile.Read(ref page->Go) == 0)
            Thread.Sleep(1);
        page->StartTicks = page->LastTicks = Stopwatch.GetTimestamp();
        Volatile.Write(ref page->State, (int)ChildState.Filling);
        s_go = true;

        foreach (var t in threads) t.Join();
        if (page->Error != 0)
        {
            Volatile.Write(ref page->State, (int)ChildState.Failed);
            return 3;
        }
        Volatile.Write(ref page->State, (int)ChildState.Capped);
        return 0;
    }

    private static int Fail(ChildError error, int errno, long size)
    {
        SetError(error, errno, size);
        Volatile.Write(ref s_page->State, (int)ChildState.Failed);
        return 3;
    }

    private static void SetError(ChildError error, int errno, long size)
    {
        var page = s_page;
        if (Interlocked.CompareExchange(ref page->Error, (int)error, 0) == 0)
        {
            page->ErrorErrno = errno;
            page->ErrorSize = size;
        }
        s_stop = true;
    }

    private static void Worker(int cpu, CountdownEvent ready)
    {
        int err = CpuAffinity.PinCurrentThread(cpu);
        if (err != 0)
            SetError(ChildError.Affinity, err, cpu); // the first error wins; Run fails the child once all are ready
        ready.Signal();
        if (err != 0) return;
        var spin = new SpinWait();
        while (!s_go) spin.SpinOnce();

        var page = s_page;
        long chunk = page->ChunkBytes;
        long max = page->MaxBytes;
        long pageSize = Environment.SystemPageSize;
        byte* next = null;
        long left = 0;
        while (!s_stop)
        {
            long size = chunk;
            if (max > 0)
            {
                long end = Interlocked.Add(ref page->Claimed, chunk);
                long start = end - chunk;
                if (start >= max) break;
                size = Math.Min(chunk, max - start);
            }
            if (left < size)
            {
                next = MapPiece(page, chunk, out left);
                if (next == null) break;
            }
            if (!Populate(page, next, size, pageSize)) break;
            next += size;
            left -= size;
            // Counted only now that the kernel has really given every page of it.
            Interlocked.Add(ref page->Filled, size);
            Volatile.Write(ref page->LastTicks, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Maps the next piece, halving the piece size (not below a chunk) while the kernel refuses.</summary>
    private static byte* MapPiece(SharedPage* page, long chunk, out long length)
    {
        while (true)
        {
            long piece = Volatile.Read(ref page->PieceBytes);
            void* p = mmap(null, (nuint)piece, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if ((nint)p != MapFailed)
            {
                if (page->HugePages != 0)
                    madvise(p, (nuint)piece, MADV_HUGEPAGE); // best effort: THP may be off
                Interlocked.Add(ref page->Mapped, piece);
                length = piece;
                return (byte*)p;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != ENOMEM || piece <= chunk)
            {
                SetError(ChildError.MmapRefused, errno, piece);
                length = 0;
                return null;
            }
            long smaller = Math.Max(chunk, piece / 2 / chunk * chunk);
            Interlocked.CompareExchange(ref page->PieceBytes, smaller, piece);
        }
    }

    private static bool Populate(SharedPage* page, byte* p, long size, long pageSize)
    {
        if (Volatile.Read(ref page->UsedTouch) == 0 && page->ForceTouch == 0)
        {
            while (true)
            {
                if (madvise(p, (nuint)size, MADV_POPULATE_WRITE) == 0)
                    return true;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR || errno == EAGAIN)
                    continue;
                if (errno == EINVAL)
                {
                    // Kernel older than 5.14: touch pages instead, from now on.
                    Volatile.Write(ref page->UsedTouch, 1);
                    break;
                }
                if (errno == ENOMEM)
                    break; // Out of memory: fault this chunk in by hand, which the OOM killer handles like any user fault.
                SetError(ChildError.Populate, errno, size);
                return false;
            }
        }
        for (long off = 0; off < size; off += pageSize)
            p[off] = 1;
        return true;
    }
}
