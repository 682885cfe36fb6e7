using System.Text.Json;
using Xunit.Abstractions;

namespace Pab.Tests.Vm;

/// <summary>
/// A CPU-count sweep through the whole pipeline in a real kernel: one order, counts 1 and 2 on the default
/// 2-vCPU guest, one iteration. Only what the host tests cannot show: the antagonist pinned to the first N
/// CPUs, pab-exhaust skipping idle over the link for the second count, every record of a count carrying it,
/// and the report made from them complete.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class SweepVmTests(ITestOutputHelper output)
{
    [VmFact]
    public void ASweepOfOneAndTwoCpusMeasuresIdleOnceAndEachCountsAntagonizedPhase()
    {
        using var share = new TempDir("pab-sweep-");
        var r = VmHarness.RunScript("""
            sh page-alloc-bench --iterations 1 --alloc-orders 0 --antagonist-cpus 1,2 --records /opt/pab/share/run.jsonl \
                >/dev/null 2>/opt/pab/share/err.txt
            echo "bench rc=$?"
            test -e /sys/module/page_alloc_bench && echo "module still loaded" || echo "module unloaded"
            """, new VmOptions { AddFiles = [RepoPaths.Of("scripts", "page-alloc-bench")], ShareDir = share.Path, TimeoutSeconds = 900 });
        output.WriteLine(r.ToString());
        string err = File.ReadAllText(Path.Combine(share.Path, "err.txt"));
        output.WriteLine(err);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("bench rc=0", r.Stdout);
        Assert.Contains("module unloaded", r.Stdout);

        string records = Path.Combine(share.Path, "run.jsonl");
        var lines = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int? Cpus(JsonElement e) => e.TryGetProperty("antagonist_cpus", out var c) ? c.GetInt32() : null;
        List<int?> CountsOf(string metric) =>
            lines.Where(e => e.TryGetProperty("metric", out var m) && m.GetString() == metric).Select(Cpus).ToList();
        Assert.Equal([null], CountsOf("idle_available_bytes")); // once, for both counts
        Assert.Equal([1, 2], CountsOf("antagonized_available_bytes"));
        Assert.Equal([1, 2], CountsOf("kernel_page_alloc_rate"));
        Assert.Equal([1, 2], CountsOf("kernel_page_alloc_latency_p99_ns"));
        // Each count's workers were pinned to that many CPUs, the first ones.
        var pinned = lines.Where(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "pinned")
            .GroupBy(Cpus).ToDictionary(g => g.Key!.Value, g => g.Select(e => e.GetProperty("cpu").GetInt32()).Order().ToList());
        Assert.Equal([0], pinned[1]);
        Assert.Equal([0, 1], pinned[2]);

        var report = Exec.Run(RepoPaths.Of("build", "bin", "pab-report"), [records, "--html", Path.Combine(share.Path, "report.html")]);
        output.WriteLine(report.Output);
        Assert.True(report.Code == 0, report.Output);
        Assert.Contains("CPU-count sweep", report.Stdout);
        Assert.Contains("antagonized_available_bytes at 2 CPUs", report.Stdout);
        Assert.Contains("memory_available_diff_bytes at 1 CPU ", report.Stdout);
        Assert.DoesNotContain("Not computed", report.Stdout);
        Assert.Contains(" 0 replaced, 0 rejected", report.Stderr); // no count's records took another's place
        Assert.Contains("<section id=\"sweep\">", File.ReadAllText(Path.Combine(share.Path, "report.html")));
        KernelLogCheck.AssertClean(r.Dmesg);
    }
}
