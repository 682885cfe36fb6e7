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
/// can tell the two apart.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class FootprintVmTests(ITestOutputHelper output)
{
    private const double MiB = 1 << 20;

    // Few blocks held at a time (32 ± 32 of order 0 per CPU), so what the module holds at the kill
    // varies by well under a MiB and the comparison sees our processes, not the pattern.
    private const string Script = """
        insmod /opt/pab/kmod/page_alloc_bench.ko || { echo "insmod failed" >&2; exit 90; }
        export PAB_RUN_ID=vm-footprint
        echo "pab-footprint-test: start" >/dev/kmsg
        ant="pab-antagonize --order 0 --middle 32 --spread 32"
        echo "=== plain"
        $ant --idle-first -- pab-exhaust --iterations 4; echo "rc $?"
        echo "=== ballast"
        $ant --idle-first --test-ballast-mib 64 -- pab-exhaust --iterations 4; echo "rc $?"
        echo "=== ballast-without-idle-antagonist"
        pab-exhaust --iterations 4 --label idle --order 0; echo "rc $?"
        $ant --test-ballast-mib 64 -- pab-exhaust --iterations 4; echo "rc $?"
        """;

    private sealed record Scenario(List<Record> Records, List<int> ExitCodes)
    {
        public List<long> Values(string label) =>
            [.. Records.Where(r => r.Type == RecordType.Metric && r.Metric == $"{label}_available_bytes").Select(r => r.Value!.Value)];

        public double Median(string label)
        {
            var v = Values(label).Order().ToList();
            return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2.0;
        }

        public double Diff => Median("idle") - Median("antagonized");

        // The antagonist's memory as its records give it at the start of each phase.
        public Dictionary<string, double> AntagonistAt(string label) =>
            Records.Single(r => r.Type == RecordType.Event && r.Event == (label == "idle" ? "phase" : "steady")).Details!;
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
            Assert.Equal(4, sc.Values("idle").Count);
            Assert.Equal(4, sc.Values("antagonized").Count);
            output.WriteLine($"{name}: idle median {sc.Median("idle") / MiB:0.0} MiB, antagonized {sc.Median("antagonized") / MiB:0.0} MiB, " +
                             $"difference {sc.Diff / MiB:0.00} MiB");
        }
        Scenario plain = s["plain"], ballast = s["ballast"], old = s["ballast-without-idle-antagonist"];

        // The ballast is real: resident through the fills, it took ~64 MiB from both phases.
        Assert.InRange((plain.Median("idle") - ballast.Median("idle")) / MiB, 56, 72);
        // ... and it cancels out of the difference.
        Assert.InRange((ballast.Diff - plain.Diff) / MiB, -2, 2);
        // Without the antagonist in the idle phase the same ballast is measured as the kernel's.
        Assert.True((old.Diff - plain.Diff) / MiB >= 48, $"old arrangement moved the difference by only {(old.Diff - plain.Diff) / MiB:0.0} MiB");

        // The antagonist holds the same in both phases (its records say so as each begins).
        foreach (var sc in new[] { plain, ballast })
        {
            var idle = sc.AntagonistAt("idle");
            var antagonized = sc.AntagonistAt("antagonized");
            output.WriteLine($"antagonist rss idle {idle["antagonist_rss_bytes"] / MiB:0.0} MiB, antagonized {antagonized["antagonist_rss_bytes"] / MiB:0.0} MiB; " +
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
