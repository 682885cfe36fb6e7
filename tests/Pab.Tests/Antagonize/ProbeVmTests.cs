using System.Text.Json;
using Pab.Antagonize;
using Pab.Common;
using Pab.Tests.Vm;
using Xunit.Abstractions;
using Record = Pab.Common.Record;

namespace Pab.Tests.Antagonize;

/// <summary>
/// The high-order probe against the real module in a 2-CPU, 1 GiB guest: at the end of each phase of each
/// order, in both modes, every block given back, the kernel log clean and nobody OOM-killed.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class ProbeVmTests(ITestOutputHelper output)
{
    private sealed record Scenario(int ExitCode, List<Record> Records, List<string> Text);

    private static Dictionary<string, Scenario> Parse(string stdout)
    {
        var result = new Dictionary<string, Scenario>();
        Scenario? current = null;
        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                string[] parts = line[4..].Split(" rc=");
                result[parts[0]] = current = new Scenario(int.Parse(parts[1].Trim()), [], []);
            }
            else if (current != null && line.StartsWith('{'))
                current.Records.Add(JsonSerializer.Deserialize(line, RecordJsonContext.Default.Record)!);
            else if (current != null && line.Trim().Length > 0)
                current.Text.Add(line.Trim());
        }
        return result;
    }

    private static readonly string[] Modes = ["nocompact", "compact"];

    /// <summary>The success-rate record of one phase, mode and order, checked against its own details; its index in the stream.</summary>
    private static int CheckRate(Scenario s, string phase, string mode, int order, int count, int probeOrder)
    {
        string name = Metrics.HighOrder(phase, mode, Metrics.HighOrderSuccessRate);
        var rate = s.Records.Single(r => r.Metric == name && r.Order == order);
        Assert.Equal(phase, rate.Label);
        Assert.Equal(Units.PartsPerMillion, rate.Unit);
        var d = rate.Details!;
        Assert.Equal(probeOrder, d["probe_order"]);
        Assert.Equal(count, d["attempts_count"]);
        Assert.InRange(d["successes_count"], 0, count);
        Assert.Equal((long)Math.Round(1e6 * d["successes_count"] / count), rate.Value);
        Assert.True(d["free_blocks_before_count"] > 0, $"{name}: no free block of order {probeOrder} before it");
        Assert.True(d["elapsed_s"] > 0);
        long[] p = [.. ProbeRecords.Percentiles.Select(q =>
            s.Records.Single(r => r.Metric == Metrics.HighOrderLatency(phase, mode, q.Name) && r.Order == order).Value!.Value)];
        Assert.True(p[0] > 0, $"{name}: p50 latency 0");
        Assert.Equal(p.Order(), p); // p50 ≤ p90 ≤ p99 ≤ max
        return s.Records.IndexOf(rate);
    }

    private static int IndexOfEvent(Scenario s, string name, int order) =>
        s.Records.FindIndex(r => r.Type == RecordType.Event && r.Event == name && r.Order == order);

    [VmFact]
    public void EachPhaseOfEachOrderIsProbedInBothModesAndEveryBlockComesBack()
    {
        var r = VmHarness.RunScript("""
            insmod /opt/pab/kmod/page_alloc_bench.ko || { echo "insmod failed" >&2; exit 90; }
            export PAB_RUN_ID=vm-probe-run
            echo "pab-probe-test: start" >/dev/kmsg
            outstanding() { echo "outstanding $(pab-load status 2>/dev/null | sed -n 's/.*"outstanding_blocks":\([0-9]*\).*/\1/p')"; }
            pab-antagonize --order 0,4 --idle-first --probe-order --probe-at-rest -- pab-exhaust --iterations 1 >phases.jsonl 2>phases.err
            echo "=== phases rc=$?"; cat phases.jsonl; cat phases.err >&2; outstanding
            pab-antagonize --order 10 --cpus 0 --middle 20 --spread 0 --duration 1 --no-latencies --probe-order 10 --probe-count 3 >alone.jsonl 2>alone.err
            echo "=== alone rc=$?"; cat alone.jsonl; cat alone.err >&2; outstanding
            pab-antagonize --order 0 --duration 1 --probe-order 11 >high.jsonl 2>high.err
            echo "=== high rc=$?"; cat high.err; outstanding
            """, new VmOptions { TimeoutSeconds = 900 });
        output.WriteLine(r.ToString());
        int start = r.Dmesg.IndexOf("pab-probe-test: start", StringComparison.Ordinal);
        Assert.True(start >= 0, "the test's start marker is missing from the kernel log");
        KernelLogCheck.AssertClean(r.Dmesg[start..]);
        // The fills end by the OOM killer; nothing else may: the probe never takes the last memory.
        Assert.All(System.Text.RegularExpressions.Regex.Matches(r.Dmesg, @"Killed process \d+ \(([^)]*)\)"),
            m => Assert.Equal("pab-fill", m.Groups[1].Value));
        var s = Parse(r.Stdout);

        // Under the pipeline: the pageblock order, a quarter of the guest's memory in its blocks.
        var phases = s["phases"];
        Assert.Equal(0, phases.ExitCode);
        Assert.Contains("outstanding 0", phases.Text);
        var metas = phases.Records.Where(m => m.Type == RecordType.Meta && m.Tool == "pab-antagonize").ToList();
        Assert.Equal(2, metas.Count);
        var opts = metas[0].Options!;
        Assert.Equal(("9", "pagetypeinfo", "true"), (opts["probe_order"], opts["probe_order_source"], opts["probe_at_rest"]));
        int count = int.Parse(opts["probe_count"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ProbeDefaults.Count(9, metas[0].Host!.MemTotalBytes!.Value, 4096), count);
        foreach (int order in new[] { 0, 4 })
        {
            // Idle before the workers run, antagonized before they stop, at rest after.
            int steady = IndexOfEvent(phases, "steady", order), stop = IndexOfEvent(phases, "stop", order);
            Assert.True(steady > 0 && stop > steady, $"order {order}: steady at {steady}, stop at {stop}");
            foreach (string mode in Modes)
            {
                Assert.InRange(CheckRate(phases, "idle", mode, order, count, 9), 0, steady);
                Assert.InRange(CheckRate(phases, "antagonized", mode, order, count, 9), steady, stop);
                Assert.True(CheckRate(phases, "rest", mode, order, count, 9) > stop);
            }
            // What the phases measure is still there beside it.
            Assert.Contains(phases.Records, x => x.Metric == Metrics.IdleAvailableBytes && x.Order == order);
            Assert.Contains(phases.Records, x => x.Metric == Metrics.AntagonizedAvailableBytes && x.Order == order);
            Assert.Contains(phases.Records, x => x.Metric == Metrics.KernelPageAllocs && x.Order == order && x.Value > 0);
        }

        // Without a command: the antagonized probe only, with the count given.
        var alone = s["alone"];
        Assert.Equal(0, alone.ExitCode);
        Assert.Contains("outstanding 0", alone.Text);
        foreach (string mode in Modes) CheckRate(alone, "antagonized", mode, 10, 3, 10);
        Assert.DoesNotContain(alone.Records, x => x.Label is "idle" or "rest");

        var high = s["high"];
        Assert.Equal((int)ExitCode.OrderRejected, high.ExitCode);
        Assert.Contains(high.Text, t => t.Contains("--probe-order 11: the kernel takes orders 0 to 10", StringComparison.Ordinal));
    }
}
