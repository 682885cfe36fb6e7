using Pab.Common;
using Pab.Report.Input;
using Pab.Report.Merge;
using Pab.Report.Compare;

namespace Pab.Tests.Report;

/// <summary>
/// compare on real boots (bench/compare-calibration.sh, docs/report.md): runs of Debian 6.1 in vm-run's default VM,
/// their samples left out. Sides a and b are the same kernel; noinit boots with init_on_alloc=0; mem with
/// mem=1003M, 21 MiB below the VM's 1 GiB.
/// </summary>
public class CalibrationTests
{
    private static readonly string Dir = RepoPaths.Of("tests", "Pab.Tests", "Report", "fixtures", "calibration");
    private const double Alpha = 0.05;

    private static string[] Runs(string side) => Directory.GetFiles(Path.Combine(Dir, side), "round-*.jsonl").Order(StringComparer.Ordinal).ToArray();

    private static MergedData Side(IEnumerable<string> files) => MergedData.Read(files.Select(InputSource.FromArgument));

    private static Comparison Compare(string other) =>
        Comparison.Run([Side(Runs("a")), Side(Runs(other))], ["a", other], Alpha, 0);

    [Fact]
    public void AaOverEverySplitOfOneKernelsBootsCallsAtMostFivePercentChanged()
    {
        string[] runs = [.. Runs("a"), .. Runs("b")];
        Assert.True(runs.Length >= 8, $"the A/A needs at least 8 runs of one kernel, {Dir} has {runs.Length}");
        int half = runs.Length / 2, splits = 0, tested = 0, called = 0;
        var merged = runs.ToDictionary(r => r, r => File.ReadAllBytes(r));
        MergedData Of(IEnumerable<string> files) => MergedData.Read(files.Select(f => InputSource.FromBytes(f, merged[f])));
        // Every split into two halves, the first run always on side x so no split is counted twice.
        for (int mask = 1; mask < 1 << runs.Length; mask += 2)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != half) continue;
            var x = runs.Where((_, i) => (mask >> i & 1) == 1);
            var y = runs.Where((_, i) => (mask >> i & 1) == 0);
            var cmp = Comparison.Run([Of(x), Of(y)], ["x", "y"], Alpha, 0);
            splits++;
            tested += cmp.Tested;
            called += cmp.Called;
        }
        Assert.True(tested > splits * 30, $"only {tested} comparisons over {splits} splits");
        double rate = (double)called / tested;
        Assert.True(rate <= 0.05, $"A/A: {called} of {tested} comparisons called changed ({rate:P2}) over {splits} splits");
    }

    [Fact]
    public void InitOnAllocOffMakesOrderFourAllocationFasterWithAnIntervalExcludingZero()
    {
        var row = Compare("noinit").Rows.Single(r => r.Key == new GroupKey("kernel_page_alloc_latency_p50_ns", 4, null));
        var side = row.Sides[1];
        Assert.Equal(Verdict.Lower, side.Verdict);
        Assert.True(side.Shift!.High < 0);
        Assert.Equal(5, side.Runs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void MemBelowTheVmsMemoryLowersIdleAvailableBytesByWhatItTook(int order)
    {
        var cmp = Compare("mem");
        var row = cmp.Rows.Single(r => r.Key == new GroupKey(Metrics.IdleAvailableBytes, order, null));
        var side = row.Sides[1];
        Assert.Equal(Verdict.Lower, side.Verdict);
        double expected = -21.0 * 1024 * 1024 / row.Sides[0].Median;
        Assert.InRange(expected, side.Shift!.Low, side.Shift.High);
    }
}
