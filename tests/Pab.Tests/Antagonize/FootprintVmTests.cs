using System.Text.Json;
using Pab.Common;
using Pab.Tests.Vm;
using Xunit.Abstractions;
using Record = Pab.Common.Record;

namespace Pab.Tests.Antagonize;

/// <summary>
/// Our own memory stays out of memory_available_diff_bytes: with the antagonist present (parked) in
/// the idle phase too, 64 MiB of ballast in its heap lowers both phases alike. The same ballast with
/// the idle phase run without the antagonist (the old pipeline) shows in the difference, so the test
/// can tell the two apart. One antagonist serves two orders in turn: in each, its memory is the same
/// in both phases.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class FootprintVmTests(ITestOutputHelper output)
{
    private const double MiB = 1 << 20;

    // Few blocks held at a time (32 ± 32 of order 0 per CPU), so what the module holds at the kill
    // varies by well under a MiB and the comparison sees our processes, not the pattern.
    private const int Iterations = 4;
    private static readonly string Script = $$"""
        insmod /opt/pab/kmod/page_alloc_bench.ko || { echo "insmod failed" >&2; exit 90; }
        export PAB_RUN_ID=vm-footprint
        echo "pab-footprint-test: start" >/dev/kmsg
        ant="pab-antagonize --middle 32 --spread 32"
        echo "=== plain"
        $ant --order 0,1 --idle-first -- pab-exhaust --iterations {{Iterations}}; echo "rc $?"
        echo "=== ballast"
        $ant --order 0,1 --idle-first --test-ballast-mib 64 -- pab-exhaust --iterations {{Iterations}}; echo "rc $?"
        echo "=== ballast-without-idle-antagonist"
        pab-exhaust --iterations {{Iterations}} --label idle --order 0; echo "rc $?"
        $ant --order 0 --test-ballast-mib 64 -- pab-exhaust --iterations {{Iterations}}; echo "rc $?"
        """;

    private sealed record Scenario(List<Record> Records, List<int> ExitCodes)
    {
        public List<long> Values(string label, int order = 0) =>
            [.. Records.Where(r => r.Type == RecordType.Metric && r.Metric == $"{label}_available_bytes" && r.Order == order).Select(r => r.Value!.Value)];

        public double Median(string label, int order = 0)
        {
            var v = Values(label, order).Order().ToList();
            return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2.0;
        }

        public double Diff(int order = 0) => Median("idle", order) - Median("antagonized", order);

        // The antagonist's memory as its records give it at the start of each phase.
        public Dictionary<string, double> AntagonistAt(string label, int order) =>
            Records.Single(r => r.Type == RecordType.Event && r.Event == (label == "idle" ? "phase" : "steady") && r.Order == order).Details!;
    }

    private static Dictionary<string, Scenario> Parse(string stdout)
    {
        var result = new Dictionary<string, Scenario>();
        Scenario? current = null;
        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
                result[line[4..].Trim()] = current = new Scenario([], []);
            else if (current != null && line.StartsWith('{'))
                current.Records.Add(JsonSerializer.Deserialize(line, RecordJsonContext.Default.Record)!);
            else if (current != null && line.StartsWith("rc ", StringComparison.Ordinal))
                current.ExitCodes.Add(int.Parse(line[3..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }
        return result;
    }

    [VmFact]
    public void BallastInTheAntagonistMovesTheDifferenceByAtMostTwoMiB()
    {
        var r = VmHarness.RunScript(Script, new VmOptions { TimeoutSeconds = 1500 });
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        var s = Parse(r.Stdout);
        foreach (var (name, sc) in s)
        {
            Assert.All(sc.ExitCodes, c => Assert.Equal(0, c));
            foreach (int order in name == "ballast-without-idle-antagonist" ? new[] { 0 } : [0, 1])
            {
                Assert.Equal(Iterations, sc.Values("idle", order).Count);
                Assert.Equal(Iterations, sc.Values("antagonized", order).Count);
                output.WriteLine($"{name} order {order}: idle median {sc.Median("idle", order) / MiB:0.0} MiB, antagonized {sc.Median("antagonized", order) / MiB:0.0} MiB, " +
                                 $"difference {sc.Diff(order) / MiB:0.00} MiB");
            }
        }
        Scenario plain = s["plain"], ballast = s["ballast"], old = s["ballast-without-idle-antagonist"];

        // The ballast is real: resident through the fills, it took ~64 MiB from both phases.
        Assert.InRange((plain.Median("idle") - ballast.Median("idle")) / MiB, 56, 72);
        // ... and it cancels out of the difference, in each order the one antagonist served.
        Assert.InRange((ballast.Diff(0) - plain.Diff(0)) / MiB, -2, 2);
        Assert.InRange((ballast.Diff(1) - plain.Diff(1)) / MiB, -2, 2);
        // Without the antagonist in the idle phase the same ballast is measured as the kernel's.
        Assert.True((old.Diff() - plain.Diff()) / MiB >= 48, $"old arrangement moved the difference by only {(old.Diff() - plain.Diff()) / MiB:0.0} MiB");

        // The antagonist holds the same in both phases of each order (its records say so as each begins).
        foreach (var sc in new[] { plain, ballast })
            foreach (int order in new[] { 0, 1 })
            {
                var idle = sc.AntagonistAt("idle", order);
                var antagonized = sc.AntagonistAt("antagonized", order);
                output.WriteLine($"order {order}: antagonist rss idle {idle["antagonist_rss_bytes"] / MiB:0.0} MiB, antagonized {antagonized["antagonist_rss_bytes"] / MiB:0.0} MiB; " +
                                 $"anon {idle["antagonist_anon_bytes"] / MiB:0.0} / {antagonized["antagonist_anon_bytes"] / MiB:0.0} MiB");
                // Anonymous memory is what the fill cannot take: the file pages of an idle process are
                // reclaimed by the first fill's pressure, in either phase, and re-read only if used.
                Assert.InRange((antagonized["antagonist_anon_bytes"] - idle["antagonist_anon_bytes"]) / MiB, -2, 2);
            }
        int start = r.Dmesg.IndexOf("pab-footprint-test: start", StringComparison.Ordinal);
        Assert.True(start >= 0, "the test's start marker is missing from the kernel log");
        KernelLogCheck.AssertClean(r.Dmesg[start..]);
    }
}
