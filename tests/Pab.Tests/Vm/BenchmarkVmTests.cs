using Pab.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Pab.Tests.Vm;

/// <summary>The whole benchmark as a user runs it: the makeself bundle in a guest, and a rerun merged after an interruption.</summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed partial class BenchmarkVmTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"Killed process (\d+) \(([^)]*)\)")]
    private static partial Regex KilledLine();

    private static readonly string[] Orders = ["0", "4"];

    /// <summary>Every metric of the original README, per order.</summary>
    private static readonly string[] PerIteration = ["idle_available_bytes", "antagonized_available_bytes"];
    private static readonly string[] PerRun = ["kernel_page_allocs", "kernel_alloc_failures", "kernel_page_allocs_remote"];
    private static readonly string[] Latencies = ["kernel_page_alloc_latencies_ns", "kernel_page_free_latencies_ns"];

    private static readonly Lazy<string> Bundle = new(() =>
    {
        var r = Exec.Run("make", "-s", "-C", RepoPaths.Root, "page_alloc_bench.run");
        Assert.True(r.Code == 0, "make page_alloc_bench.run failed:\n" + r.Output);
        return RepoPaths.Of("page_alloc_bench.run");
    });

    private static string PabReport(params string[] args)
    {
        var r = Exec.Run(RepoPaths.Of("build", "bin", "pab-report"), args);
        Assert.True(r.Code == 0, $"pab-report {string.Join(' ', args)} failed:\n{r.Output}");
        return r.Output;
    }

    /// <summary>Checks the original-format JSON: every metric for every order, with the right counts and plausible values.</summary>
    private void AssertCompleteReport(string jsonPath, int iterations, long memTotal)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var root = doc.RootElement;
        output.WriteLine(string.Join(", ", root.EnumerateObject().Select(p => $"{p.Name}[{p.Value.GetArrayLength()}]")));
        long[] Values(string key)
        {
            Assert.True(root.TryGetProperty(key, out var arr), $"{key} missing from {jsonPath}");
            return arr.EnumerateArray().Select(v => v.GetInt64()).ToArray();
        }
        foreach (var order in Orders)
        {
            foreach (var m in PerIteration)
            {
                var v = Values($"{m}_order{order}");
                Assert.Equal(iterations, v.Length);
                Assert.All(v, x => Assert.InRange(x, memTotal / 2, memTotal));
            }
            Assert.All(Values($"kernel_page_allocs_order{order}"), x => Assert.True(x > 0, "no kernel allocations"));
            // Order 0 never fails; a costly order (4) may fail while the exhaustion child drives the
            // guest to OOM, which the original hid behind a stack dump each time: then it is counted.
            var failures = Values($"kernel_alloc_failures_order{order}");
            if (order == "0")
                Assert.All(failures, x => Assert.Equal(0, x));
            else
                output.WriteLine($"kernel_alloc_failures_order{order}: {string.Join(", ", failures)}");
            Assert.All(failures, x => Assert.True(x >= 0));
            Assert.NotEmpty(Values($"kernel_page_allocs_remote_order{order}"));
            foreach (var m in PerRun)
                Assert.NotEmpty(Values($"{m}_order{order}"));
            foreach (var m in Latencies)
            {
                var v = Values($"{m}_order{order}");
                Assert.True(v.Length >= 100, $"{m}_order{order} has only {v.Length} samples");
                Assert.All(v, x => Assert.True(x > 0, $"{m}_order{order} has a latency of {x} ns"));
            }
        }
    }

    private static void AssertOnlyExhaustionChildrenKilled(VmResult r, int expectedKills)
    {
        var kills = r.Dmesg.Split('\n').Select(l => KilledLine().Match(l)).Where(m => m.Success).ToList();
        Assert.True(kills.Count == expectedKills, $"{kills.Count} OOM kills, expected {expectedKills}:\n{r.Dmesg}");
        Assert.All(kills, m => Assert.Equal("pab-fill", m.Groups[2].Value));
        KernelLogCheck.AssertClean(r.Dmesg);
    }

    private static long MemTotal(string stdout) =>
        long.Parse(stdout.Split('\n').First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    [VmFact]
    public void TheBundleRunsTheWholeBenchmarkAndUnloadsTheModule()
    {
        using var share = new TempDir("pab-bundle-");
        // Extract to the 9p folder, not the guest's RAM-backed /tmp; --no-kmod: only the bundle's module exists.
        var r = VmHarness.RunScript("""
            grep MemTotal /proc/meminfo
            TMPDIR=/opt/pab/run ./page_alloc_bench.run -- --iterations 2 --alloc-orders 0,4 \
                --output-path /opt/pab/share/results.json --records /opt/pab/share/records.jsonl
            echo "bench rc=$?"
            test -e /sys/module/page_alloc_bench && echo "module still loaded" || echo "module unloaded"
            """, new VmOptions { AddFiles = [Bundle.Value], ShareDir = share.Path, NoKmod = true, TimeoutSeconds = 1500 });
        output.WriteLine(r.ToString());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("bench rc=0", r.Stdout);
        Assert.Contains("module unloaded", r.Stdout);
        // The report is printed: one line per metric and order, with units.
        Assert.Contains("idle_available_bytes", r.Stdout);
        Assert.Contains("MiB", r.Stdout);

        AssertCompleteReport(Path.Combine(share.Path, "results.json"), iterations: 2, MemTotal(r.Stdout));
        AssertOnlyExhaustionChildrenKilled(r, expectedKills: 2 * 2 * 2);
        AssertKernelsAccount(r.Stdout, Path.Combine(share.Path, "records.jsonl"));
    }

    /// <summary>The kernel's account of every order and phase is in the records and in the report (docs/record-format.md).</summary>
    private static void AssertKernelsAccount(string report, string recordsPath)
    {
        var records = File.ReadLines(recordsPath).Select(l => JsonSerializer.Deserialize(l, RecordJsonContext.Default.Record)!)
            .Where(x => x.Type == RecordType.Metric).ToList();
        foreach (int order in new[] { 0, 4 })
        {
            Assert.Contains($"The kernel's account, order {order} (/proc/vmstat over each phase; mean of 1 run)", report);
            foreach (string phase in new[] { "idle", "antagonized" })
            {
                // Each phase's two fills ended in OOM kills, as the kernel counted them.
                var kills = records.Single(x => x.Metric == $"{phase}_vmstat_oom_kill" && x.Order == order);
                Assert.Equal(2, kills.Value);
                Assert.True(kills.Details!["filled_bytes"] > 0 && kills.Details["duration_s"] > 0);
                foreach (string point in new[] { "start", "end" })
                {
                    // As root the free lists come from pagetypeinfo: per zone and migratetype, summing to the value.
                    var free = records.Single(x => x.Metric == $"{phase}_free_bytes_{point}" && x.Order == order);
                    Assert.Equal(free.Value, (long)Enumerable.Range(0, 11).Sum(k => free.Details![$"o{k}_bytes"]));
                    Assert.Contains(free.Details!.Keys, k => k.StartsWith("n0_dma32_movable_o", StringComparison.Ordinal));
                    Assert.Equal(9, free.Details["pageblock_order"]);
                }
                // Every fill says what the kernel counted during it.
                Assert.All(records.Where(x => x.Metric == $"{phase}_available_bytes" && x.Order == order),
                    x => Assert.Equal(1, x.Details!["vmstat_oom_kill"]));
            }
        }
        Assert.Contains("Free memory by block order at the end of each phase (MiB)", report);
    }

    [VmFact]
    public void AnInterruptedRunKeepsFinishedOrdersAndARerunCompletesTheReport()
    {
        using var share = new TempDir("pab-rerun-");
        // SIGTERM to the pipeline's whole process group (what Ctrl-C does to a foreground job)
        // once order 4 has started.
        var r = VmHarness.RunScript("""
            grep MemTotal /proc/meminfo
            setsid sh page-alloc-bench --iterations 1 --alloc-orders 0,4 --records /opt/pab/share/first.jsonl &
            pid=$!
            while ! grep -q '"order":4' /opt/pab/share/first.jsonl 2>/dev/null; do sleep 0.2; done
            kill -TERM -$pid
            wait $pid
            echo "interrupted rc=$?"
            test -e /sys/module/page_alloc_bench && echo "module still loaded" || echo "module unloaded"
            id=$(sed -n '1s/.*"run":"\([^"]*\)".*/\1/p' /opt/pab/share/first.jsonl)
            echo "completing run $id"
            sh page-alloc-bench --iterations 1 --alloc-orders 4 --run-id "$id" --records /opt/pab/share/second.jsonl > /dev/null
            echo "rerun rc=$?"
            """, new VmOptions { AddFiles = [RepoPaths.Of("scripts", "page-alloc-bench")], ShareDir = share.Path, TimeoutSeconds = 1500 });
        output.WriteLine(r.ToString());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("interrupted rc=130", r.Stdout);
        Assert.Contains("module unloaded", r.Stdout);
        Assert.Contains("rerun rc=0", r.Stdout);

        string first = Path.Combine(share.Path, "first.jsonl"), second = Path.Combine(share.Path, "second.jsonl");
        // Order 0 survived the interruption whole; order 4 did not finish.
        string order0 = Path.Combine(share.Path, "order0.json");
        PabReport(first, "--format", "jsonl", "--output-path", order0);
        using (var doc = JsonDocument.Parse(File.ReadAllText(order0)))
        {
            Assert.True(doc.RootElement.TryGetProperty("antagonized_available_bytes_order0", out _), "order 0 lost");
            Assert.True(doc.RootElement.TryGetProperty("kernel_page_alloc_latencies_ns_order0", out _), "order 0 latencies lost");
            Assert.False(doc.RootElement.TryGetProperty("antagonized_available_bytes_order4", out _), "order 4 was not interrupted");
        }

        // The rerun carries the interrupted run's id: one run, its order 4 replaced, not a second replicate.
        Assert.Contains("completing run ", r.Stdout);
        string merged = Path.Combine(share.Path, "merged.json");
        string text = PabReport(first, second, "--format", "text", "--output-path", merged);
        Assert.DoesNotContain("Results of 2 runs", text);
        AssertCompleteReport(merged, iterations: 1, MemTotal(r.Stdout));
        KernelLogCheck.AssertClean(r.Dmesg);
    }

    [VmFact]
    public void WithKeepGoingAnOrderTheKernelRejectsIsNamedAndTheOthersAreMeasured()
    {
        using var share = new TempDir("pab-keep-going-");
        // Order 11 is past every supported kernel's largest (10), and more than the antagonist's
        // default hold limit allows: the one antagonist for all orders refuses the list before
        // measuring, and the pipeline finds the bad order one at a time.
        var r = VmHarness.RunScript("""
            grep MemTotal /proc/meminfo
            sh page-alloc-bench --iterations 1 --alloc-orders 0,11,4 --keep-going --records /opt/pab/share/run.jsonl \
                --output-path /opt/pab/share/results.json >/dev/null 2>/opt/pab/share/err.txt
            echo "bench rc=$?"
            test -e /sys/module/page_alloc_bench && echo "module still loaded" || echo "module unloaded"
            """, new VmOptions { AddFiles = [RepoPaths.Of("scripts", "page-alloc-bench")], ShareDir = share.Path, TimeoutSeconds = 1500 });
        output.WriteLine(r.ToString());
        string err = File.ReadAllText(Path.Combine(share.Path, "err.txt"));
        output.WriteLine(err);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("bench rc=1", r.Stdout);
        Assert.Contains("module unloaded", r.Stdout);
        Assert.Contains("order 11 failed (exit ", err);
        Assert.Contains("page-alloc-bench: order(s) 0,11,4:", err);
        Assert.Contains("failed orders: 11;", err);
        Assert.DoesNotContain("order 0 failed", err);
        Assert.DoesNotContain("order 4 failed", err);
        AssertCompleteReport(Path.Combine(share.Path, "results.json"), iterations: 1, MemTotal(r.Stdout));
        KernelLogCheck.AssertClean(r.Dmesg);
    }
}
