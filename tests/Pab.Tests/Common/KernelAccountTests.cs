using System.Text;
using Pab.Common.Kernel;

namespace Pab.Tests.Common;

/// <summary>The /proc readers on files captured from Debian 6.1 in the VM and from the development host's 6.18.</summary>
public sealed class KernelAccountTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(RepoPaths.Of("tests", "Pab.Tests", "Common", "fixtures", "kernel", name));

    [Theory]
    [InlineData("guest-6.1-vmstat.txt")]
    [InlineData("host-vmstat.txt")]
    public void VmStatReadsEveryField(string file)
    {
        string text = Fixture(file);
        var fields = VmStat.Parse(text);
        Assert.Equal(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, fields.Count);
        Assert.True(fields.ContainsKey("compact_stall"));
        Assert.True(fields.ContainsKey("thp_fault_alloc"));
        Assert.True(fields["nr_free_pages"] > 0);
        // Every headline counter but those a kernel may lack is there.
        foreach (var name in new[] { "pgfree", "numa_hit", "pgscan_direct", "pgmigrate_success", "oom_kill", "pageoutrun" })
            Assert.True(fields.ContainsKey(name), name);
    }

    [Fact]
    public void DeltasKeepCountersThatMovedAndNoStates()
    {
        var before = VmStat.Parse(Fixture("guest-6.1-vmstat.txt"));
        var after = new Dictionary<string, long>(before)
        {
            ["compact_stall"] = before["compact_stall"] + 7,
            ["pgfree"] = before["pgfree"] + 1000,
            ["nr_free_pages"] = before["nr_free_pages"] + 50, // a state, not a counter
            ["workingset_nodes"] = before["workingset_nodes"] + 3,
            ["pgalloc_dma32"] = before["pgalloc_dma32"] - 1, // went back: left out
        };
        var d = VmStat.Deltas(before, after);
        Assert.Equal(new[] { "compact_stall", "pgfree" }, d.Keys);
        Assert.Equal(7, d["compact_stall"]);
        Assert.Equal(1000, d["pgfree"]);
    }

    [Fact]
    public void BuddyInfoOfTheGuest()
    {
        var f = FreeLists.ParseBuddyInfo(Fixture("guest-6.1-buddyinfo.txt"));
        Assert.False(f.ByMigrateType);
        Assert.Equal(["DMA", "DMA32"], f.Lists.Select(l => l.Zone));
        Assert.Equal([1L, 0, 1, 1, 1, 2, 2, 2, 1, 3, 215], f.Lists[1].Blocks);
        // DMA32's 215 blocks of order 10 are 860 MiB.
        Assert.Equal(215L * 4096 * 1024, f.BytesByOrder(4096)[10] - 3L * 4096 * 1024);
    }

    [Fact]
    public void PageTypeInfoOfTheGuest()
    {
        var f = FreeLists.ParsePageTypeInfo(Fixture("guest-6.1-pagetypeinfo.txt"));
        Assert.True(f.ByMigrateType);
        Assert.Equal(9, f.PageblockOrder);
        Assert.Equal(10, f.Lists.Count); // 2 zones × 5 migratetypes
        var movable = f.Lists.Single(l => l.Zone == "DMA32" && l.MigrateType == "Movable");
        Assert.Equal([1L, 0, 0, 1, 0, 1, 1, 1, 1, 1, 215], movable.Blocks);
        Assert.Equal(435, f.Pageblocks.Single(p => p.Zone == "DMA32" && p.MigrateType == "Movable").Blocks);
        Assert.Equal(63, f.Pageblocks.Single(p => p.Zone == "DMA32" && p.MigrateType == "Unmovable").Blocks);
        // pagetypeinfo and buddyinfo, read one after the other, agree on the free memory.
        var buddy = FreeLists.ParseBuddyInfo(Fixture("guest-6.1-buddyinfo.txt"));
        Assert.Equal(buddy.TotalBytes(4096), f.TotalBytes(4096));
        var d = f.Details(4096);
        Assert.Equal(215, d["n0_dma32_movable_o10_blocks"]);
        Assert.Equal(435, d["n0_dma32_movable_pageblocks"]);
        Assert.Equal(9, d["pageblock_order"]);
        Assert.False(d.ContainsKey("n0_dma32_highatomic_o0_blocks")); // zeros left out
        Assert.Equal(f.TotalBytes(4096), Enumerable.Range(0, 11).Sum(k => (long)d[$"o{k}_bytes"]));
    }

    [Fact]
    public void PageTypeInfoOfTheHostWithThreeZones()
    {
        var f = FreeLists.ParsePageTypeInfo(Fixture("host-pagetypeinfo.txt"));
        var buddy = FreeLists.ParseBuddyInfo(Fixture("host-buddyinfo.txt"));
        Assert.Equal(["DMA", "DMA32", "Normal"], buddy.Lists.Select(l => l.Zone));
        Assert.Equal(15, f.Lists.Count);
        Assert.Equal(3 * 5, f.Pageblocks.Count);
        Assert.True(f.TotalBytes(4096) > 0);
    }

    [Fact]
    public void RawFieldParsesWithoutAllocating()
    {
        byte[] text = Encoding.ASCII.GetBytes(Fixture("guest-6.1-vmstat.txt").Replace("oom_kill 0", "oom_kill 42"));
        Assert.Equal(42, PeakSampler.RawField(text, "oom_kill "u8));
        Assert.Equal(-1, PeakSampler.RawField(text, "no_such_field "u8));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) PeakSampler.RawField(text, "oom_kill "u8);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void PeakSamplerKeepsTheLastSampleBeforeAnOomKill()
    {
        using var dir = new TempDir("pab-peak-");
        string buddy = Path.Combine(dir.Path, "buddyinfo"), vmstat = Path.Combine(dir.Path, "vmstat");
        File.WriteAllText(buddy, "Node 0, zone    DMA32      1      0      0      0      0      0      0      0      0      0    100 \n");
        File.WriteAllText(vmstat, "pgfree 1\noom_kill 3\n");
        using var sampler = new PeakSampler(buddy, vmstat);
        Assert.True(sampler.Available);
        sampler.Start();
        File.WriteAllText(buddy, "Node 0, zone    DMA32      5      0      0      0      0      0      0      0      0      0      2 \n");
        sampler.Sample();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        sampler.Sample();
        Assert.Equal(allocated, GC.GetAllocatedBytesForCurrentThread()); // nothing allocated while a fill runs
        // The OOM kill, then memory coming back: that sample is not the peak.
        File.WriteAllText(vmstat, "pgfree 1\noom_kill 4\n");
        File.WriteAllText(buddy, "Node 0, zone    DMA32      1      0      0      0      0      0      0      0      0      0    200 \n");
        sampler.Sample();
        var peak = sampler.Peak(System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.NotNull(peak);
        Assert.Equal([5L, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], peak.Value.Lists.Lists[0].Blocks);
    }

    [Fact]
    public void AccountNamesSplitIntoPhaseAndName()
    {
        Assert.True(AccountMetrics.TrySplit(AccountMetrics.VmStat("antagonized", "compact_stall"), out var label, out var name));
        Assert.Equal(("antagonized", "vmstat_compact_stall"), (label, name));
        Assert.True(AccountMetrics.TrySplit(AccountMetrics.FreeBytes("idle", "end"), out label, out name));
        Assert.Equal(("idle", "free_bytes_end"), (label, name));
        Assert.False(AccountMetrics.TrySplit("antagonized_available_bytes", out _, out _));
        Assert.True(VmStatHeadline.Contains("allocstall_dma32"));
        Assert.True(VmStatHeadline.Contains("thp_fault_fallback"));
        Assert.False(VmStatHeadline.Contains("pgfault"));
    }

    [Fact]
    public void HistOfTheGuestCountsPerOrder()
    {
        var hits = TraceCounts.ParseHist(Fixture("guest-6.1-zone-locked-hist.txt"), "order");
        Assert.Equal(new Dictionary<long, long> { [9] = 32, [0] = 504 }, hits);
        Assert.Empty(TraceCounts.ParseHist(Fixture("guest-6.1-zone-locked-hist.txt"), "fallback_order"));
    }

    [Fact]
    public void TraceCountsAddsItsTriggersOnceAndRemovesThemAndAStaleOne()
    {
        using var dir = new TempDir("pab-trace-");
        string Ev(string ev, string file) => Path.Combine(dir.Path, "events", "kmem", ev, file);
        foreach (var ev in new[] { "mm_page_alloc_extfrag", "mm_page_alloc_zone_locked", "mm_page_pcpu_drain" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Ev(ev, "trigger"))!);
            File.WriteAllText(Ev(ev, "trigger"), "");
        }
        // A run killed outright left its trigger (the kernel shows it with its state).
        File.WriteAllText(Ev("mm_page_pcpu_drain", "trigger"), "hist:keys=order:vals=hitcount:sort=hitcount:size=1024 [active]\n");
        var trace = new TraceCounts(dir.Path);
        Assert.Null(trace.Snapshot()); // nothing counted before the triggers are in
        Assert.Null(trace.Start());
        Assert.True(trace.Counting);
        const string Spec = "hist:keys=order:vals=hitcount:sort=hitcount:size=1024";
        Assert.Equal($"{Spec} [active]\n!{Spec}\n{Spec}\n", File.ReadAllText(Ev("mm_page_pcpu_drain", "trigger"))); // the stale one removed, ours added
        Assert.Null(trace.Start()); // later phases add nothing: no kernel text is patched again
        Assert.Equal($"{Spec} [active]\n!{Spec}\n{Spec}\n", File.ReadAllText(Ev("mm_page_pcpu_drain", "trigger")));
        Assert.Equal($"{Spec}\n", File.ReadAllText(Ev("mm_page_alloc_zone_locked", "trigger")));
        // Just added, before any event: the histograms are empty.
        foreach (var ev in new[] { "mm_page_alloc_extfrag", "mm_page_alloc_zone_locked", "mm_page_pcpu_drain" })
            File.WriteAllText(Ev(ev, "hist"), "\nTotals:\n    Hits: 0\n    Entries: 0\n    Dropped: 0\n");
        var start = trace.Snapshot()!;
        File.WriteAllText(Ev("mm_page_alloc_extfrag", "hist"),
            "{ fallback_order:          3 } hitcount:          5\n{ fallback_order:         10 } hitcount:          2\n{ fallback_order:          8 } hitcount:          1\n");
        File.WriteAllText(Ev("mm_page_alloc_zone_locked", "hist"), Fixture("guest-6.1-zone-locked-hist.txt"));
        var counts = TraceCounts.Difference(start, trace.Snapshot()!, pageblockOrder: 9);
        Assert.Equal(8, counts["mm_page_alloc_extfrag"]);
        Assert.Equal(6, counts["mm_page_alloc_extfrag_fragmenting"]); // fallback orders 3 and 8, below pageblock order 9
        Assert.Equal(536, counts["mm_page_alloc_zone_locked"]);
        Assert.Equal(0, counts["mm_page_pcpu_drain"]);
        trace.Stop();
        // Every trigger added was removed: tracing is left as it was found.
        Assert.Equal($"{Spec}\n!{Spec}\n", File.ReadAllText(Ev("mm_page_alloc_zone_locked", "trigger")));
        Assert.EndsWith("!hist:keys=fallback_order:vals=hitcount:sort=hitcount:size=1024\n", File.ReadAllText(Ev("mm_page_alloc_extfrag", "trigger")));
        Assert.False(trace.Counting);
        Assert.Null(trace.Snapshot()); // nothing active any more
        trace.Stop(); // a second removal (process exit after the run's end) writes nothing
        Assert.Equal($"{Spec}\n!{Spec}\n", File.ReadAllText(Ev("mm_page_alloc_zone_locked", "trigger")));
    }

    [Fact]
    public void APhaseCountsTheDifferenceOfTwoSnapshotsOfTheCumulativeHistograms()
    {
        Dictionary<string, Dictionary<long, long>> Snap(string extfrag, string zoneLocked) => new()
        {
            ["mm_page_alloc_extfrag"] = TraceCounts.ParseHist(extfrag, "fallback_order"),
            ["mm_page_alloc_zone_locked"] = TraceCounts.ParseHist(zoneLocked, "order"),
        };
        // The idle phase ended with these; the antagonized phase added hits to order 0, none to order 9,
        // and fallbacks at order 4 and 10 that the first snapshot did not have at all.
        var before = Snap("{ fallback_order:          3 } hitcount:          5\n\nTotals:\n    Hits: 5\n",
            Fixture("guest-6.1-zone-locked-hist.txt")); // order 9: 32, order 0: 504
        var after = Snap(
            "{ fallback_order:          4 } hitcount:          2\n{ fallback_order:          3 } hitcount:          7\n{ fallback_order:         10 } hitcount:         11\n",
            "{ order:          9 } hitcount:         32\n{ order:          0 } hitcount:       1504\n");
        var counts = TraceCounts.Difference(before, after, pageblockOrder: 9);
        Assert.Equal(2 + 2 + 11, counts["mm_page_alloc_extfrag"]);
        Assert.Equal(2 + 2, counts["mm_page_alloc_extfrag_fragmenting"]); // orders 3 and 4; 10 is above pageblock order
        Assert.Equal(1000, counts["mm_page_alloc_zone_locked"]);
        Assert.False(counts.ContainsKey("mm_page_pcpu_drain")); // unreadable in both: no count rather than a 0
        // Unchanged histograms count 0 for every event read.
        var none = TraceCounts.Difference(after, after, 9);
        Assert.Equal(["mm_page_alloc_extfrag", "mm_page_alloc_extfrag_fragmenting", "mm_page_alloc_zone_locked"], none.Keys);
        Assert.All(none.Values, v => Assert.Equal(0, v));
        // An event read at only one end has no count; a histogram cleared by someone else in between
        // counts what it holds now (the least it can have seen), never a negative number.
        var cleared = TraceCounts.Difference(after, new Dictionary<string, Dictionary<long, long>>
        {
            ["mm_page_alloc_zone_locked"] = new() { [0] = 40 },
        }, 9);
        Assert.Equal(new SortedDictionary<string, long> { ["mm_page_alloc_zone_locked"] = 40 }, cleared);
    }

    [Fact]
    public void TraceEventsSwitchTakesOneOrZeroElseTheDefault()
    {
        Assert.True(TraceEvents.Enabled("1", byDefault: false));
        Assert.False(TraceEvents.Enabled("0", byDefault: true));
        Assert.True(TraceEvents.Enabled(null, byDefault: true));
        Assert.False(TraceEvents.Enabled(null, byDefault: false));
        Assert.True(TraceEvents.Enabled("", byDefault: true));
        // On by default under the phase link and alone idle; not for a lone antagonized phase.
        Assert.True(TraceEvents.ByDefaultFor(linked: true, antagonized: false));
        Assert.True(TraceEvents.ByDefaultFor(linked: false, antagonized: false));
        Assert.False(TraceEvents.ByDefaultFor(linked: false, antagonized: true));
    }

    [Fact]
    public void WithoutTracefsTraceCountsSaysWhy()
    {
        using var dir = new TempDir("pab-notrace-");
        var trace = new TraceCounts(dir.Path);
        string? why = trace.Start();
        Assert.Contains("cannot add a hist trigger", why);
        Assert.Equal(why, trace.Start()); // said the same way for every phase, never tried again
        Assert.Null(trace.Snapshot());
    }
}
