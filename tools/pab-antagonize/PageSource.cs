using System.Runtime.CompilerServices;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>Where a worker gets its pages: the module, or a stand-in in unit tests of the worker's logic.</summary>
public interface IPageSource
{
    /// <summary>Allocates entries.Length blocks; returns errno (0, or an error with the first <paramref name="done"/> entries filled).</summary>
    int Alloc(int order, Span<PabBatchEntry> entries, out int done);

    /// <summary>Frees the ids in entries; returns errno (0, or an error after the first <paramref name="done"/>).</summary>
    int Free(Span<PabBatchEntry> entries, out int done);
}

/// <summary>The module through one open file: batched ioctls, or the original's single-page calls.</summary>
public sealed class ModulePageSource(ModuleClient client, bool singlePageCalls) : IPageSource
{
    public ModuleClient Client { get; } = client;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Alloc(int order, Span<PabBatchEntry> entries, out int done)
    {
        if (!singlePageCalls) return Client.TryAllocBatch(order, entries, out done);
        for (done = 0; done < entries.Length; done++)
        {
            int err = Client.TryAllocPage(order, out PabAllocPage page);
            if (err != 0) return err;
            entries[done] = new PabBatchEntry { Id = page.Id, LatencyNs = page.LatencyNs, Nid = page.Nid };
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Free(Span<PabBatchEntry> entries, out int done)
    {
        if (!singlePageCalls) return Client.TryFreeBatch(entries, out done);
        for (done = 0; done < entries.Length; done++)
        {
            int err = Client.TryFreePage(entries[done].Id, out long latency);
            if (err != 0) return err;
            entries[done].LatencyNs = latency;
        }
        return 0;
    }
}
