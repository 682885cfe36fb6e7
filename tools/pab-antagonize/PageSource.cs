using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// Where a worker gets its pages: a first-in, first-out store of blocks (the module, or a stand-in in unit
/// tests of the worker's logic). The worker only says how many; the source knows which are oldest.
/// </summary>
public interface IPageSource
{
    /// <summary>Allocates entries.Length blocks; returns errno (0, or an error with the first <paramref name="done"/> entries filled).</summary>
    int Alloc(int order, Span<PabBatchEntry> entries, out int done);

    /// <summary>Frees the entries.Length oldest blocks, writing each one's id and latency; returns errno (0, or an error after the first <paramref name="done"/>).</summary>
    int FreeOldest(int order, Span<PabBatchEntry> entries, out int done);
}

/// <summary>
/// The module through one open file: its queue calls (the kernel keeps the blocks in order, so no ids
/// cross per page), or the original's single-page calls, with the ids kept here in allocation order.
/// </summary>
public sealed class ModulePageSource(ModuleClient client, bool singlePageCalls, int capacity = 1024) : IPageSource
{
    private readonly IdQueue _ids = new(singlePageCalls ? capacity : 0);

    public ModuleClient Client { get; } = client;

    /// <summary>Blocks allocated through the single-page calls and not yet freed (0 with the queue calls, whose blocks the module counts).</summary>
    public int Held => _ids.Count;

    /// <summary>GFP mode of the queue calls (Abi.Gfp*).</summary>
    public uint Gfp { get; init; } = Abi.GfpKernel;

    /// <summary>Pages per alloc_pages_bulk() call; 0: alloc_pages() per block.</summary>
    public int Bulk { get; init; }

    public int Alloc(int order, Span<PabBatchEntry> entries, out int done)
    {
        if (AllocModes.NeedsModeCall(Gfp, Bulk)) return Client.TryQueueAllocMode(order, Gfp, (uint)Bulk, entries, out done);
        if (!singlePageCalls) return Client.TryQueueAlloc(order, entries, out done);
        for (done = 0; done < entries.Length; done++)
        {
            int err = Client.TryAllocPage(order, out PabAllocPage page);
            if (err != 0) return err;
            entries[done] = new PabBatchEntry { Id = page.Id, LatencyNs = page.LatencyNs, Nid = page.Nid };
            _ids.Enqueue(page.Id);
        }
        return 0;
    }

    /// <summary>Frees what the single-page calls still hold: the original module frees a closed file's blocks only at unload.</summary>
    public void FreeHeld()
    {
        Span<PabBatchEntry> one = stackalloc PabBatchEntry[1];
        while (Held > 0 && FreeOldest(0, one, out _) == 0) { }
    }

    public int FreeOldest(int order, Span<PabBatchEntry> entries, out int done)
    {
        if (!singlePageCalls) return Client.TryQueueFree(order, entries, out done);
        for (done = 0; done < entries.Length; done++)
        {
            if (_ids.Count == 0) return Native.ENOENT;
            ulong id = _ids.Peek();
            int err = Client.TryFreePage(id, out long latency);
            if (err != 0) return err;
            _ids.Dequeue();
            entries[done] = new PabBatchEntry { Id = id, LatencyNs = latency, Nid = -1 };
        }
        return 0;
    }
}

/// <summary>
/// A ring of ids, oldest first. It grows by doubling when full (the worker's pattern bounds it, so only
/// while a run first climbs); otherwise it never allocates.
/// </summary>
public sealed class IdQueue(int capacity)
{
    // Pinned: never copied by a collection, so a worker's memory is touched once (it is per CPU).
    private ulong[] _ring = GC.AllocateArray<ulong>(Math.Max(capacity, 1), pinned: true);
    private int _head;

    public int Count { get; private set; }

    public void Enqueue(ulong id)
    {
        if (Count == _ring.Length) Grow();
        int tail = _head + Count;
        _ring[tail >= _ring.Length ? tail - _ring.Length : tail] = id;
        Count++;
    }

    public ulong Peek() => Count > 0 ? _ring[_head] : throw new InvalidOperationException("the queue is empty");

    public ulong Dequeue()
    {
        ulong id = Peek();
        _head = _head + 1 == _ring.Length ? 0 : _head + 1;
        Count--;
        return id;
    }

    private void Grow()
    {
        var bigger = new ulong[_ring.Length * 2];
        for (int i = 0; i < Count; i++)
        {
            int k = _head + i;
            bigger[i] = _ring[k >= _ring.Length ? k - _ring.Length : k];
        }
        _ring = bigger;
        _head = 0;
    }
}
