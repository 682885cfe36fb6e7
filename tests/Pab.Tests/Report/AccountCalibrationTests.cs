using System.IO.Compression;
using Pab.Report.Compare;
using Pab.Report.Input;
using Pab.Report.Merge;
using Xunit.Abstractions;

namespace Pab.Tests.Report;

/// <summary>
/// The A/A of the kernel's account on real boots (bench/compare-calibration.sh --aa, docs/report.md "The kernel's
/// account on real boots"): boots of Debian 6.1 in vm-run's default VM with the account collected, from two
/// scripts/compare-kernels runs, their samples and events left out (fixtures/account/aa).
/// </summary>
public class AccountCalibrationTests(ITestOutputHelper output)
{
    private static readonly string Dir = RepoPaths.Of("tests", "Pab.Tests", "Report", "fixtures", "account", "aa");
    private const double Alpha = 0.05;
    private static readonly int EverySplit = Environment.GetEnvironmentVariable("PAB_AA_EVERY_SPLIT") is { } e ? int.Parse(e, System.Globalization.CultureInfo.InvariantCulture) : 6;

    [Fact]
    public void AaOverEverySplitCallsAtMostFivePercentOfHeadlineAndOfExplanatoryRowsChanged()
    {
        var runs = Directory.GetFiles(Dir, "*.jsonl.gz").Order(StringComparer.Ordinal).ToArray();
        Assert.True(runs.Length >= 8, $"the A/A needs at least 8 runs of one kernel, {Dir} has {runs.Length}");
        var text = runs.ToDictionary(r => r, Gunzip);
        MergedData Of(IEnumerable<string> files) => MergedData.Read(files.Select(f => InputSource.FromBytes(f, text[f])));
        var often = new Dictionary<string, int>();
        int half = runs.Length / 2, splits = 0, seen = 0, tested = 0, called = 0, accountTested = 0, accountCalled = 0;
        // The splits into two halves, the first run always on side x so no split is counted twice; of 13 runs'
        // 792 every sixth (the script does all of them, docs/report.md), so the test takes seconds, not minutes.
        for (int mask = 1; mask < 1 << runs.Length; mask += 2)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != half || seen++ % EverySplit != 0) continue;
            var cmp = Comparison.Run([Of(runs.Where((_, i) => (mask >> i & 1) == 1)), Of(runs.Where((_, i) => (mask >> i & 1) == 0))], ["x", "y"], Alpha, 0);
            splits++;
            tested += cmp.Tested;
            called += cmp.Called;
            accountTested += cmp.AccountTested;
            accountCalled += cmp.AccountCalled;
            foreach (var row in cmp.Rows.Concat(cmp.AccountRows).Where(r => r.Sides[1].Verdict is Verdict.Higher or Verdict.Lower))
                often[$"{row.Key.Metric} order {row.Key.Order}"] = often.GetValueOrDefault($"{row.Key.Metric} order {row.Key.Order}") + 1;
        }
        output.WriteLine($"{splits} splits of {runs.Length} runs: headline {called} of {tested} called changed ({(double)called / tested:P2}); " +
            $"the kernel's account {accountCalled} of {accountTested} ({(double)accountCalled / accountTested:P2})");
        foreach (var (row, n) in often.OrderByDescending(p => p.Value).Take(10)) output.WriteLine($"  {n,4} {row}");
        // Every run carries the account: dozens of explanatory rows per split, not a handful.
        Assert.True(accountTested > splits * 30, $"only {accountTested} explanatory comparisons over {splits} splits");
        Assert.True(tested > splits * 30, $"only {tested} headline comparisons over {splits} splits");
        Assert.True(accountCalled <= 0.05 * accountTested, $"A/A, the kernel's account: {accountCalled} of {accountTested} comparisons called changed over {splits} splits");
        Assert.True(called <= 0.05 * tested, $"A/A, headline rows: {called} of {tested} comparisons called changed over {splits} splits");
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gz.CopyTo(bytes);
        return bytes.ToArray();
    }
}
