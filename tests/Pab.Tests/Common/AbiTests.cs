using System.Runtime.InteropServices;
using Pab.Common;

namespace Pab.Tests.Common;

/// <summary>The C# mirror of kmod/page_alloc_bench.h must equal the header, as a C compiler sees it.</summary>
public class AbiTests
{
    private static Dictionary<string, long> CLayout()
    {
        using var dir = new TempDir("pab-abi");
        string src = dir.Of("abi.c"), exe = dir.Of("abi");
        File.WriteAllText(src, """
            #include <stdio.h>
            #include <stddef.h>
            #include "page_alloc_bench.h"
            #define P(name, v) printf("%s %llu\n", name, (unsigned long long)(v))
            #define S(t) P(#t, sizeof(struct t))
            #define O(t, f) P(#t "." #f, offsetof(struct t, f))
            int main(void)
            {
                P("ALLOC_PAGE", PAB_IOCTL_ALLOC_PAGE); P("FREE_PAGE", PAB_IOCTL_FREE_PAGE);
                P("INFO", PAB_IOCTL_INFO); P("ALLOC_BATCH", PAB_IOCTL_ALLOC_BATCH);
                P("FREE_BATCH", PAB_IOCTL_FREE_BATCH); P("SELFTEST", PAB_IOCTL_SELFTEST);
                P("QUEUE_ALLOC", PAB_IOCTL_QUEUE_ALLOC); P("QUEUE_FREE", PAB_IOCTL_QUEUE_FREE);
                P("PROBE", PAB_IOCTL_PROBE); P("PROBE_MAX", PAB_PROBE_MAX);
                P("PROBE_NOCOMPACT", PAB_PROBE_NOCOMPACT); P("PROBE_COMPACT", PAB_PROBE_COMPACT);
                P("QUEUE_ALLOC_MODE", PAB_IOCTL_QUEUE_ALLOC_MODE); P("BULK_MAX", PAB_BULK_MAX);
                P("GFP_KERNEL", PAB_GFP_KERNEL); P("GFP_ATOMIC", PAB_GFP_ATOMIC);
                P("GFP_NORETRY", PAB_GFP_NORETRY); P("GFP_MODES", PAB_GFP_MODES);
                P("ABI_VERSION", PAB_ABI_VERSION); P("MAGIC", PAB_IOCTL_MAGIC);
                P("BATCH_MAX", PAB_BATCH_MAX); P("SELFTEST_MAX", PAB_SELFTEST_MAX); P("VERSION_LEN", PAB_VERSION_LEN);
                S(pab_alloc_page); O(pab_alloc_page, args.order); O(pab_alloc_page, result.id);
                O(pab_alloc_page, result.nid); O(pab_alloc_page, result.latency_ns);
                S(pab_free_page); O(pab_free_page, args.id); O(pab_free_page, result.latency_ns);
                S(pab_info); O(pab_info, abi_version); O(pab_info, max_order); O(pab_info, file_outstanding);
                O(pab_info, total_outstanding); O(pab_info, total_outstanding_pages); O(pab_info, module_version);
                S(pab_batch_entry); O(pab_batch_entry, id); O(pab_batch_entry, latency_ns);
                O(pab_batch_entry, nid); O(pab_batch_entry, reserved);
                S(pab_batch); O(pab_batch, entries); O(pab_batch, count); O(pab_batch, order);
                O(pab_batch, done); O(pab_batch, flags);
                S(pab_selftest); O(pab_selftest, order); O(pab_selftest, hold); O(pab_selftest, count);
                O(pab_selftest, allocs); O(pab_selftest, failures); O(pab_selftest, elapsed_ns);
                S(pab_probe); O(pab_probe, latencies); O(pab_probe, count); O(pab_probe, order);
                O(pab_probe, mode); O(pab_probe, flags); O(pab_probe, attempts); O(pab_probe, successes);
                O(pab_probe, elapsed_ns);
                S(pab_queue_alloc_mode); O(pab_queue_alloc_mode, entries); O(pab_queue_alloc_mode, count);
                O(pab_queue_alloc_mode, order); O(pab_queue_alloc_mode, done); O(pab_queue_alloc_mode, gfp);
                O(pab_queue_alloc_mode, bulk); O(pab_queue_alloc_mode, __pad);
                return 0;
            }
            """);
        Run("cc", "-Wall", "-Werror", "-I" + RepoPaths.Of("kmod"), "-o", exe, src);
        var result = new Dictionary<string, long>();
        foreach (var line in Run(exe).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            result[parts[0]] = (long)ulong.Parse(parts[1]);
        }
        return result;
    }

    private static string Run(string file, params string[] args)
    {
        var r = Exec.Run(file, args);
        Assert.True(r.Code == 0, $"{file} {string.Join(' ', args)} failed: {r.Stderr}");
        return r.Stdout;
    }

    private static readonly Lazy<Dictionary<string, long>> C = new(CLayout);

    private static long Off<T>(string field) where T : struct => Marshal.OffsetOf<T>(field).ToInt64();

    [Fact]
    public void OriginalIoctlNumbersAreKept()
    {
        Assert.Equal(0xc0201201L, C.Value["ALLOC_PAGE"]);
        Assert.Equal(0xc0101203L, C.Value["FREE_PAGE"]);
        Assert.Equal(0xc0201201u, Abi.AllocPage);
        Assert.Equal(0xc0101203u, Abi.FreePage);
    }

    [Fact]
    public void IoctlNumbersAndConstantsMatchHeader()
    {
        var c = C.Value;
        Assert.Equal(c["ALLOC_PAGE"], Abi.AllocPage);
        Assert.Equal(c["FREE_PAGE"], Abi.FreePage);
        Assert.Equal(c["INFO"], Abi.Info);
        Assert.Equal(c["ALLOC_BATCH"], Abi.AllocBatch);
        Assert.Equal(c["FREE_BATCH"], Abi.FreeBatch);
        Assert.Equal(c["SELFTEST"], Abi.Selftest);
        Assert.Equal(c["QUEUE_ALLOC"], Abi.QueueAlloc);
        Assert.Equal(c["QUEUE_FREE"], Abi.QueueFree);
        Assert.Equal(c["PROBE"], Abi.Probe);
        Assert.Equal((long)Abi.ProbeMax, c["PROBE_MAX"]);
        Assert.Equal((long)Abi.ProbeNoCompact, c["PROBE_NOCOMPACT"]);
        Assert.Equal((long)Abi.ProbeCompact, c["PROBE_COMPACT"]);
        Assert.Equal(c["QUEUE_ALLOC_MODE"], Abi.QueueAllocMode);
        Assert.Equal(Abi.BulkMax, c["BULK_MAX"]);
        Assert.Equal(Abi.GfpKernel, c["GFP_KERNEL"]);
        Assert.Equal(Abi.GfpAtomic, c["GFP_ATOMIC"]);
        Assert.Equal(Abi.GfpNoretry, c["GFP_NORETRY"]);
        Assert.Equal(Abi.GfpModes, c["GFP_MODES"]);
        Assert.Equal(Abi.AbiVersion, c["ABI_VERSION"]);
        Assert.Equal(Abi.Magic, c["MAGIC"]);
        Assert.Equal(Abi.BatchMax, c["BATCH_MAX"]);
        Assert.Equal((long)Abi.SelftestMax, c["SELFTEST_MAX"]);
        Assert.Equal(Abi.VersionLength, c["VERSION_LEN"]);
    }

    [Fact]
    public unsafe void StructLayoutsMatchHeader()
    {
        var c = C.Value;
        Assert.Equal(c["pab_alloc_page"], sizeof(PabAllocPage));
        Assert.Equal(c["pab_alloc_page.args.order"], Off<PabAllocPage>(nameof(PabAllocPage.Order)));
        Assert.Equal(c["pab_alloc_page.result.id"], Off<PabAllocPage>(nameof(PabAllocPage.Id)));
        Assert.Equal(c["pab_alloc_page.result.nid"], Off<PabAllocPage>(nameof(PabAllocPage.Nid)));
        Assert.Equal(c["pab_alloc_page.result.latency_ns"], Off<PabAllocPage>(nameof(PabAllocPage.LatencyNs)));

        Assert.Equal(c["pab_free_page"], sizeof(PabFreePage));
        Assert.Equal(c["pab_free_page.args.id"], Off<PabFreePage>(nameof(PabFreePage.Id)));
        Assert.Equal(c["pab_free_page.result.latency_ns"], Off<PabFreePage>(nameof(PabFreePage.LatencyNs)));

        Assert.Equal(c["pab_info"], sizeof(PabInfo));
        Assert.Equal(c["pab_info.abi_version"], Off<PabInfo>(nameof(PabInfo.AbiVersion)));
        Assert.Equal(c["pab_info.max_order"], Off<PabInfo>(nameof(PabInfo.MaxOrder)));
        Assert.Equal(c["pab_info.file_outstanding"], Off<PabInfo>(nameof(PabInfo.FileOutstanding)));
        Assert.Equal(c["pab_info.total_outstanding"], Off<PabInfo>(nameof(PabInfo.TotalOutstanding)));
        Assert.Equal(c["pab_info.total_outstanding_pages"], Off<PabInfo>(nameof(PabInfo.TotalOutstandingPages)));
        Assert.Equal(c["pab_info.module_version"], Off<PabInfo>(nameof(PabInfo.ModuleVersion)));

        Assert.Equal(c["pab_batch_entry"], sizeof(PabBatchEntry));
        Assert.Equal(c["pab_batch_entry.id"], Off<PabBatchEntry>(nameof(PabBatchEntry.Id)));
        Assert.Equal(c["pab_batch_entry.latency_ns"], Off<PabBatchEntry>(nameof(PabBatchEntry.LatencyNs)));
        Assert.Equal(c["pab_batch_entry.nid"], Off<PabBatchEntry>(nameof(PabBatchEntry.Nid)));
        Assert.Equal(c["pab_batch_entry.reserved"], Off<PabBatchEntry>(nameof(PabBatchEntry.Reserved)));

        Assert.Equal(c["pab_batch"], sizeof(PabBatch));
        Assert.Equal(c["pab_batch.entries"], Off<PabBatch>(nameof(PabBatch.Entries)));
        Assert.Equal(c["pab_batch.count"], Off<PabBatch>(nameof(PabBatch.Count)));
        Assert.Equal(c["pab_batch.order"], Off<PabBatch>(nameof(PabBatch.Order)));
        Assert.Equal(c["pab_batch.done"], Off<PabBatch>(nameof(PabBatch.Done)));
        Assert.Equal(c["pab_batch.flags"], Off<PabBatch>(nameof(PabBatch.Flags)));

        Assert.Equal(c["pab_selftest"], sizeof(PabSelftest));
        Assert.Equal(c["pab_selftest.order"], Off<PabSelftest>(nameof(PabSelftest.Order)));
        Assert.Equal(c["pab_selftest.hold"], Off<PabSelftest>(nameof(PabSelftest.Hold)));
        Assert.Equal(c["pab_selftest.count"], Off<PabSelftest>(nameof(PabSelftest.Count)));
        Assert.Equal(c["pab_selftest.allocs"], Off<PabSelftest>(nameof(PabSelftest.Allocs)));
        Assert.Equal(c["pab_selftest.failures"], Off<PabSelftest>(nameof(PabSelftest.Failures)));
        Assert.Equal(c["pab_selftest.elapsed_ns"], Off<PabSelftest>(nameof(PabSelftest.ElapsedNs)));

        Assert.Equal(c["pab_probe"], sizeof(PabProbe));
        Assert.Equal(c["pab_probe.latencies"], Off<PabProbe>(nameof(PabProbe.Latencies)));
        Assert.Equal(c["pab_probe.count"], Off<PabProbe>(nameof(PabProbe.Count)));
        Assert.Equal(c["pab_probe.order"], Off<PabProbe>(nameof(PabProbe.Order)));
        Assert.Equal(c["pab_probe.mode"], Off<PabProbe>(nameof(PabProbe.Mode)));
        Assert.Equal(c["pab_probe.flags"], Off<PabProbe>(nameof(PabProbe.Flags)));
        Assert.Equal(c["pab_probe.attempts"], Off<PabProbe>(nameof(PabProbe.Attempts)));
        Assert.Equal(c["pab_probe.successes"], Off<PabProbe>(nameof(PabProbe.Successes)));
        Assert.Equal(c["pab_probe.elapsed_ns"], Off<PabProbe>(nameof(PabProbe.ElapsedNs)));
        Assert.Equal(c["pab_queue_alloc_mode"], sizeof(PabQueueAllocMode));
        Assert.Equal(c["pab_queue_alloc_mode.entries"], Off<PabQueueAllocMode>(nameof(PabQueueAllocMode.Entries)));
        Assert.Equal(c["pab_queue_alloc_mode.count"], Off<PabQueueAllocMode>(nameof(PabQueueAllocMode.Count)));
        Assert.Equal(c["pab_queue_alloc_mode.order"], Off<PabQueueAllocMode>(nameof(PabQueueAllocMode.Order)));
        Assert.Equal(c["pab_queue_alloc_mode.done"], Off<PabQueueAllocMode>(nameof(PabQueueAllocMode.Done)));
        Assert.Equal(c["pab_queue_alloc_mode.gfp"], Off<PabQueueAllocMode>(nameof(PabQueueAllocMode.Gfp)));
        Assert.Equal(c["pab_queue_alloc_mode.bulk"], Off<PabQueueAllocMode>(nameof(PabQueueAllocMode.Bulk)));
        Assert.Equal(c["pab_queue_alloc_mode.__pad"], Off<PabQueueAllocMode>(nameof(PabQueueAllocMode.Pad)));
    }
}
