using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pab.Common;
using Pab.Tests.Vm;
using Xunit.Abstractions;

namespace Pab.Tests.Exhaust;

/// <summary>pab-exhaust in a 1 GiB guest: real global OOM kills, nothing in between.</summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed partial class ExhaustVmTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"Killed process (\d+) \(([^)]*)\).*oom_score_adj:(-?\d+)")]
    private static partial Regex KilledLine();

    [VmFact]
    public void ThreeIterationsFillMostOfMemoryAndOnlyTheChildIsEverKilled()
    {
        var r = VmHarness.RunScript("""
            grep MemTotal /proc/meminfo
            pab-exhaust --iterations 3 &
            parent=$!
            echo "parent $parent"
            wait $parent
            echo "exit $?"
            """, new VmOptions { NoKmod = true, TimeoutSeconds = 900 });
        output.WriteLine(r.ToString());
        Assert.True(r.ExitCode == 0, r.ToString());

        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        long memTotal = long.Parse(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        int parent = int.Parse(lines.Single(l => l.StartsWith("parent ", StringComparison.Ordinal))[7..], CultureInfo.InvariantCulture);
        Assert.Contains("exit 0", lines);

        var all = lines.Where(l => l.StartsWith('{'))
            .Select(l => JsonSerializer.Deserialize(l, RecordJsonContext.Default.Record)!).ToList();
        Assert.Equal(RecordType.Meta, all[0].Type);
        // The kernel's account of the phase (Pab.Common.Kernel) aside: one record per iteration.
        var records = all.Where(x => x.Type == RecordType.Metric && !Pab.Common.Kernel.AccountMetrics.TrySplit(x.Metric!, out _, out _)).ToList();
        Assert.Equal(3, records.Count);
        var values = records.Select(x => (double)x.Value!.Value).ToList();
        foreach (var x in records)
        {
            Assert.Equal("idle_available_bytes", x.Metric);
            Assert.Equal(0, x.Details!["capped"]);
            Assert.InRange(x.Value!.Value, memTotal / 2, memTotal);
        }
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        output.WriteLine($"MemTotal {memTotal} B; values {string.Join(", ", values)} B " +
                         $"({string.Join(", ", values.Select(v => (v / memTotal).ToString("P1", CultureInfo.InvariantCulture)))} of MemTotal); " +
                         $"coefficient of variation {100 * sd / mean:0.000} %; fill rates " +
                         string.Join(", ", records.Select(x => (x.Details!["fill_rate_bytes_per_s"] / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture))) + " MiB/s");

        // The kernel log: three OOM kills, each of a child (oom_score_adj 1000, a different pid
        // each time), never the parent and never anything else.
        var kills = r.Dmesg.Split('\n').Select(l => KilledLine().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(3, kills.Count);
        Assert.All(kills, m =>
        {
            Assert.NotEqual(parent, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.Equal("pab-fill", m.Groups[2].Value);
            Assert.Equal("1000", m.Groups[3].Value);
        });
        Assert.Equal(3, kills.Select(m => m.Groups[1].Value).Distinct().Count());
    }
}
