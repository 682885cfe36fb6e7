using Pab.Antagonize;

namespace Pab.Tests.Antagonize;

/// <summary>The hold derived from the machine's shape when --middle and --spread are not given.</summary>
public class HoldDefaultsTests
{
    private const long MiB = 1L << 20, GiB = 1L << 30;

    [Theory]
    [InlineData(981 * MiB, 1 * GiB)]          // the 1 GiB guest's MemTotal with 2 CPUs
    [InlineData(955 * MiB, 1 * GiB)]          // and with 8 (more per-CPU memory reserved)
    [InlineData(1 * GiB, 1 * GiB)]
    [InlineData(3871 * MiB, 4 * GiB)]         // 3.78 GiB of a 4 GiB guest
    [InlineData(1945 * MiB, 2 * GiB)]
    [InlineData(465 * MiB, 512 * MiB)]
    [InlineData(24 * GiB - 300 * MiB, 24 * GiB)]
    [InlineData(6 * GiB - 200 * MiB, 6 * GiB)]
    public void MachineMemoryIsMemTotalRoundedUpToAQuarterOfItsOctave(long memTotal, long machine) =>
        Assert.Equal(machine, HoldDefaults.MachineBytes(memTotal));

    [Fact]
    public void KernelsReservingDifferentlyOnOneMachineGetOneHold()
    {
        // MemTotal of one 1 GiB guest under kernels that reserve 20 to 120 MiB.
        var holds = Enumerable.Range(0, 101).Select(i => HoldDefaults.Blocks(4, 8, 1 * GiB - (20 + i) * MiB, 4096)).Distinct();
        Assert.Single(holds);
    }

    [Theory]
    // The shapes the benchmark ran on before: the old fixed default, unchanged.
    [InlineData(0, 2, 981, 1000)]
    [InlineData(4, 2, 981, 1000)]
    [InlineData(4, 1, 465, 1000)]
    // The 16 CPUs with 3.78 GiB, refused at order 4 before.
    [InlineData(4, 16, 3871, 682)]
    [InlineData(4, 16, 1945, 341)]
    [InlineData(4, 8, 981, 341)]
    [InlineData(4, 8, 955, 341)]              // 8 CPUs reserve more of the same 1 GiB: the same hold
    public void BlocksFollowMemoryCpusAndOrder(int order, int cpus, long memTotalMiB, int blocks) =>
        Assert.Equal(blocks, HoldDefaults.Blocks(order, cpus, memTotalMiB * MiB, 4096));

    [Theory]
    [InlineData(1, 512L * 1024 * 1024)]
    [InlineData(16, 2L << 30)]
    [InlineData(64, 16L << 30)]
    [InlineData(128, 32L << 30)]
    [InlineData(256, 1L << 40)]
    [InlineData(4, 513L << 20)]
    public void EveryShapeStaysInsideTheHoldLimitAtEveryOrder(int cpus, long memTotal)
    {
        for (int order = 0; order <= 10; order++)
        {
            int blocks = HoldDefaults.Blocks(order, cpus, memTotal, 4096);
            Assert.InRange(blocks, 1, HoldDefaults.MaxMiddle);
            double peak = 2.0 * blocks * (4096L << order) * cpus;
            // A third of the rounded memory, at most 5/12 of MemTotal: the limit (half) is never reached.
            if (blocks > 1) Assert.True(peak <= memTotal * 5.0 / 12, $"order {order}, {cpus} CPUs: {peak} of {memTotal}");
            Assert.Null(Preflight.CheckHeldMemory(order, 2 * blocks, "derived", cpus, 4096, memTotal, false, out _) is { } r && blocks > 1 ? r : null);
        }
    }

    [Fact]
    public void ExplicitOptionsWinAndOnlyTheMissingOneIsDerived()
    {
        var o = new AntagonizeOptions([4], null, 50, 1000, 256, true, 100, null, 1, []) { DeriveSpread = true };
        var at = o.ForOrder(4, 16, 1945 * MiB, 4096);
        Assert.Equal(50, at.Middle);
        Assert.Equal(341, at.Spread);
        var given = o with { DeriveSpread = false, Spread = 7 };
        Assert.Same(given, given.ForOrder(4, 16, 1945 * MiB, 4096));
    }

    [Fact]
    public void UnknownMemoryKeepsTheLargestDefault()
    {
        var o = new AntagonizeOptions([0], null, 1000, 1000, 256, true, 100, null, 1, []) { DeriveMiddle = true, DeriveSpread = true };
        var at = o.ForOrder(0, 4, null, 4096);
        Assert.Equal((1000, 1000), (at.Middle, at.Spread));
    }

    [Fact]
    public void TheMetaRecordSaysWhatWasDerivedAndFromWhichMemory()
    {
        var o = new AntagonizeOptions([4], null, 1000, 1000, 256, true, 100, null, 1, []) { DeriveMiddle = true, DeriveSpread = true };
        var host = new Pab.Common.HostInfo { MemTotalBytes = 1945 * MiB };
        var meta = AntagonistRecords.Meta(o.ForOrder(4, 16, host.MemTotalBytes, 4096), 4, [.. Enumerable.Range(0, 16)], host);
        Assert.Equal("341", meta.Options!["middle"]);
        Assert.Equal("341", meta.Options["spread"]);
        Assert.Equal("middle,spread", meta.Options["hold_derived"]);
        Assert.Equal((2 * GiB).ToString(System.Globalization.CultureInfo.InvariantCulture), meta.Options["hold_machine_bytes"]);
        var given = AntagonistRecords.Meta(o with { DeriveMiddle = false, DeriveSpread = false }, 4, [0], host);
        Assert.False(given.Options!.ContainsKey("hold_derived"));
    }
}
