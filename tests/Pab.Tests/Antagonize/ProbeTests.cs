using Pab.Antagonize;
using Pab.Common;
using Pab.Common.Kernel;

namespace Pab.Tests.Antagonize;

/// <summary>The high-order probe's userspace logic: its defaults from the machine, its options, and its records.</summary>
public class ProbeTests
{
    private const long MiB = 1L << 20, GiB = 1L << 30;

    [Theory]
    [InlineData(9, 981 * MiB, 128)]              // the 1 GiB guest: a quarter of it in 2 MiB blocks
    [InlineData(9, 955 * MiB, 128)]              // the same guest under a kernel that reserves more
    [InlineData(9, 24 * GiB - 300 * MiB, 3072)]  // this host
    [InlineData(10, 981 * MiB, 64)]
    [InlineData(4, 981 * MiB, 4096)]
    [InlineData(0, 24 * GiB, 1 << 20)]           // capped at the module's limit
    [InlineData(9, 1 * MiB, 1)]                  // at least one
    public void CountIsAQuarterOfTheMachinesMemoryInBlocks(int order, long memTotal, int count) =>
        Assert.Equal(count, ProbeDefaults.Count(order, memTotal, 4096));

    [Theory]
    [InlineData("2097152\n", 4096, 9)]
    [InlineData("1073741824", 4096, 18)]
    [InlineData("33554432", 65536, 9)]           // 64 KiB pages, 32 MiB huge page
    [InlineData("3000", 4096, null)]
    [InlineData("6291456", 4096, null)]          // not a power of two of pages
    [InlineData("", 4096, null)]
    [InlineData("two megabytes", 4096, null)]
    public void HugePageOrderFromHpagePmdSize(string text, long pageSize, int? order) =>
        Assert.Equal(order, ProbeDefaults.HugeOrder(text, pageSize));

    [Fact]
    public void PageblockOrderFromPagetypeinfoThenHugePageSizeThenFallback()
    {
        using var dir = new TempDir("pab-probe-order");
        string proc = dir.Of("proc"), sys = dir.Of("sys");
        Directory.CreateDirectory(proc);
        Directory.CreateDirectory(Path.Combine(sys, "kernel/mm/transparent_hugepage"));
        Assert.Equal((9, "fallback"), ProbeDefaults.PageblockOrder(proc, sys, 4096, 10));
        Assert.Equal((5, "fallback"), ProbeDefaults.PageblockOrder(proc, sys, 4096, 5));

        File.WriteAllText(Path.Combine(sys, "kernel/mm/transparent_hugepage/hpage_pmd_size"), "1048576\n");
        Assert.Equal((8, "hpage_pmd_size"), ProbeDefaults.PageblockOrder(proc, sys, 4096, 10));

        File.Copy(RepoPaths.Of("tests", "Pab.Tests", "Common", "fixtures", "kernel", "guest-6.1-pagetypeinfo.txt"), Path.Combine(proc, "pagetypeinfo"));
        Assert.Equal((9, "pagetypeinfo"), ProbeDefaults.PageblockOrder(proc, sys, 4096, 10));
        Assert.Equal((7, "pagetypeinfo"), ProbeDefaults.PageblockOrder(proc, sys, 4096, 7));
    }

    [Fact]
    public void FreeBlocksCountEveryFreeBlockAtOrAboveTheOrderInItsUnits()
    {
        var lists = FreeLists.ParseBuddyInfo("""
            Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3
            Node 0, zone    DMA32      2      4      2      2      1      2      0      3      3      1    753
            Node 0, zone   Normal  33050  27419  19647  10340   5168   3334   1803    863    443     21    886
            """);
        // Order 9: each order-9 block counts 1, each order-10 block 2.
        Assert.Equal((1 + 1 + 21) + 2 * (3 + 753 + 886), ProbeDefaults.FreeBlocks(lists, 9));
        Assert.Equal(3 + 753 + 886, ProbeDefaults.FreeBlocks(lists, 10));
        Assert.Equal(0, ProbeDefaults.FreeBlocks(lists, 11));
    }

    [Fact]
    public void ResolveFillsOrderAndCountFromTheMachineAndRefusesAnOrderTheKernelLacks()
    {
        using var dir = new TempDir("pab-probe-resolve");
        var (s, refusal) = new ProbeSettings(null, null, AtRest: true).Resolve(dir.Path, dir.Path, 4096, 10, 981 * MiB);
        Assert.Null(refusal);
        Assert.Equal(9, s!.Order);
        Assert.Equal("fallback", s.OrderSource);
        Assert.Equal(128, s.Count);
        Assert.True(s.AtRest);

        (s, _) = new ProbeSettings(4, 7, false).Resolve(dir.Path, dir.Path, 4096, 10, 981 * MiB);
        Assert.Equal((4, 7, "given"), (s!.Order, s.Count, s.OrderSource));
        (s, _) = new ProbeSettings(4, null, false).Resolve(dir.Path, dir.Path, 4096, 10, null);
        Assert.Equal(ProbeSettings.FallbackCount, s!.Count);

        (s, refusal) = new ProbeSettings(11, null, false).Resolve(dir.Path, dir.Path, 4096, 10, 981 * MiB);
        Assert.Null(s);
        Assert.Equal(ExitCode.OrderRejected, refusal!.Code);
        Assert.Equal("--probe-order 11: the kernel takes orders 0 to 10", refusal.Message);
    }

    private static (string? Error, AntagonizeOptions? Options) Validate(params string[] args)
    {
        var pr = AntagonizeCommand.Build().Parse(args);
        Assert.Empty(pr.Errors);
        return (AntagonizeCommand.Validate(pr, out var o), o);
    }

    [Fact]
    public void ProbeOptions()
    {
        Assert.Null(Validate("--order", "0").Options!.Probe);
        var (error, o) = Validate("--order", "0", "--probe-order", "--", "true");
        Assert.Null(error);
        Assert.Equal(new ProbeSettings(null, null, false), o!.Probe);
        Assert.Equal(new ProbeSettings(10, 5, true), Validate("--order", "0", "--probe-order", "10", "--probe-count", "5", "--probe-at-rest").Options!.Probe);
        Assert.Equal(["true"], Validate("--order", "0", "--probe-order", "--", "true").Options!.Command);

        Assert.Equal("--probe-count: needs --probe-order (the probe is off without it)", Validate("--order", "0", "--probe-count", "5").Error);
        Assert.Equal("--probe-at-rest: needs --probe-order (the probe is off without it)", Validate("--order", "0", "--probe-at-rest").Error);
        Assert.Equal("--probe-order: not with --selftest", Validate("--order", "0", "--probe-order", "--selftest", "10").Error);
    }

    [Theory]
    [InlineData(new[] { "--order", "0", "--probe-order", "21" }, "--probe-order 21: out of range (0 to 20)")]
    [InlineData(new[] { "--order", "0", "--probe-order", "--probe-count", "0" }, "--probe-count 0: out of range")]
    [InlineData(new[] { "--order", "0", "--probe-order", "--probe-count", "1048577" }, "--probe-count 1048577: out of range")]
    public void BadProbeValuesNameTheFlag(string[] args, string message)
    {
        var pr = AntagonizeCommand.Build().Parse(args);
        Assert.Contains(pr.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void RecordsPerModeNameThePhaseFirstWithRateInPpmAndExactPercentiles()
    {
        long[] lat = [.. Enumerable.Range(1, 100).Reverse().Select(i => (long)i * 1000)]; // sorted by the records
        var outcome = new ProbeOutcome("compact", 9, 100, 37, 2_500_000_000, lat, 40);
        var records = ProbeRecords.Of("antagonized", 4, 4096, outcome);

        Assert.All(records, r =>
        {
            Assert.Equal(RecordType.Metric, r.Type);
            Assert.Equal(4, r.Order);
            Assert.Equal("antagonized", r.Label);
            Assert.StartsWith("antagonized_high_order_compact_", r.Metric);
            Assert.True(Metrics.IsHighOrder(r.Metric!));
        });
        var rate = records.Single(r => r.Metric == "antagonized_high_order_compact_success_rate");
        Assert.Equal(370_000, rate.Value);
        Assert.Equal(Units.PartsPerMillion, rate.Unit);
        Assert.Equal(9, rate.Details!["probe_order"]);
        Assert.Equal(2 * MiB, rate.Details["block_bytes"]);
        Assert.Equal(100, rate.Details["attempts_count"]);
        Assert.Equal(37, rate.Details["successes_count"]);
        Assert.Equal(40, rate.Details["free_blocks_before_count"]);
        Assert.Equal(2.5, rate.Details["elapsed_s"]);
        Assert.Equal(
            [("p50", 50_000L), ("p90", 90_000L), ("p99", 99_000L), ("max", 100_000L)],
            records.Where(r => r.Unit == Units.Nanoseconds)
                .Select(r => (r.Metric!["antagonized_high_order_compact_latency_".Length..^"_ns".Length], r.Value!.Value)));

        // Without the free lists the detail is left out, not written as 0.
        var blind = ProbeRecords.Of("idle", 0, 4096, outcome with { FreeBlocksBefore = null });
        Assert.DoesNotContain("free_blocks_before_count", blind[0].Details!.Keys);
        Assert.Equal("idle_high_order_compact_success_rate", blind[0].Metric);
    }

    [Theory]
    [InlineData(3, 2, 666_667)]
    [InlineData(128, 128, 1_000_000)]
    [InlineData(128, 0, 0)]
    [InlineData(0, 0, 0)]
    public void SuccessRateIsRoundedPpmOfAttempts(uint attempts, uint successes, long ppm)
    {
        var o = new ProbeOutcome("nocompact", 9, attempts, successes, 1, [.. Enumerable.Repeat(5L, (int)attempts)], null);
        Assert.Equal(ppm, ProbeRecords.Of("idle", 0, 4096, o)[0].Value);
    }

    [Fact]
    public void NearestRankPercentiles()
    {
        long[] one = [7];
        Assert.Equal(7, ProbeRecords.Rank(one, 0.5));
        Assert.Equal(7, ProbeRecords.Rank(one, 1.0));
        long[] four = [1, 2, 3, 4];
        Assert.Equal(2, ProbeRecords.Rank(four, 0.5));
        Assert.Equal(4, ProbeRecords.Rank(four, 0.9));
        Assert.Equal(4, ProbeRecords.Rank(four, 1.0));
    }

    [Fact]
    public void MetaRecordSaysWhatTheProbeWas()
    {
        var o = new AntagonizeOptions([0], null, 10, 10, 256, true, 100, null, 1, ["true"])
        {
            Probe = new ProbeSettings(9, 128, true) { OrderSource = "pagetypeinfo" },
        };
        var meta = AntagonistRecords.Meta(o, 0, [0, 1], new HostInfo());
        Assert.Equal("9", meta.Options!["probe_order"]);
        Assert.Equal("pagetypeinfo", meta.Options["probe_order_source"]);
        Assert.Equal("128", meta.Options["probe_count"]);
        Assert.Equal("true", meta.Options["probe_at_rest"]);
        Assert.DoesNotContain("probe_order", AntagonistRecords.Meta(o with { Probe = null }, 0, [0], new HostInfo()).Options!.Keys);
    }
}
