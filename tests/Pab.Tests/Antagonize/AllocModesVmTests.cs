using System.Text.Json;
using Pab.Common;
using Pab.Tests.Vm;
using Xunit.Abstractions;
using Record = Pab.Common.Record;

namespace Pab.Tests.Antagonize;

/// <summary>
/// Each allocation mode (--free-on other, --gfp atomic and noretry, --bulk) against the real module in one
/// 2-CPU guest: a short run each, everything freed, the modes in meta, a clean kernel log; and the
/// refusals that need the module loaded.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class AllocModesVmTests(ITestOutputHelper output)
{
    private sealed record Run(string Name, int ExitCode, List<Record> Records, string Text)
    {
        public long Value(string metric) => Records.Single(r => r.Type == RecordType.Metric && r.Metric == metric).Value!.Value;
        public Record Event(string name) => Records.Single(r => r.Type == RecordType.Event && r.Event == name);
        public Dictionary<string, string> Options => Records.Single(r => r.Type == RecordType.Meta).Options!;
    }

    private static Dictionary<string, Run> Parse(string stdout)
    {
        var runs = new Dictionary<string, Run>();
        string? name = null;
        int rc = 0;
        var records = new List<Record>();
        var text = new List<string>();
        void Flush()
        {
            if (name != null) runs[name] = new Run(name, rc, [.. records], string.Join('\n', text));
            records.Clear();
            text.Clear();
        }
        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                Flush();
                string[] parts = line[4..].Split(" rc=");
                (name, rc) = (parts[0], int.Parse(parts[1].Trim()));
            }
            else if (line.StartsWith('{')) records.Add(JsonSerializer.Deserialize(line, RecordJsonContext.Default.Record)!);
            else text.Add(line);
        }
        Flush();
        return runs;
    }

    [VmFact]
    public void EachModeRunsFreesEverythingAndSaysWhichItWas()
    {
        var r = VmHarness.RunScript("""
            insmod /opt/pab/kmod/page_alloc_bench.ko || exit 90
            echo "pab-modes-test: start" >/dev/kmsg
            outstanding() { pab-load status 2>/dev/null | sed -n 's/.*"outstanding_blocks":\([0-9]*\).*/outstanding \1/p'; }
            run() { name=$1; shift; pab-antagonize --duration 2 "$@" >$name.jsonl 2>$name.err; rc=$?
                echo "=== $name rc=$rc"; cat $name.jsonl $name.err; outstanding; }
            run other --order 0 --free-on other
            run other4 --order 4 --free-on other --batch 16
            run atomic --order 0 --gfp atomic
            run noretry --order 4 --gfp noretry
            run bulk --order 0 --bulk 64
            run bulkatomic --order 0 --bulk 16 --gfp atomic --free-on other
            run one --order 0 --free-on other --cpus 1
            """, new VmOptions { TimeoutSeconds = 900 });
        output.WriteLine(r.ToString());
        var runs = Parse(r.Stdout);
        int start = r.Dmesg.IndexOf("pab-modes-test: start", StringComparison.Ordinal);
        Assert.True(start >= 0, "the start marker is missing from the kernel log");
        KernelLogCheck.AssertClean(r.Dmesg[start..]);
        Assert.DoesNotContain("page allocation failure", r.Dmesg);

        foreach (var (name, gfp, bulk, freeOn) in new[]
                 {
                     ("other", "kernel", 0, "other"), ("other4", "kernel", 0, "other"), ("atomic", "atomic", 0, "same"),
                     ("noretry", "noretry", 0, "same"), ("bulk", "kernel", 64, "same"), ("bulkatomic", "atomic", 16, "other"),
                 })
        {
            var run = runs[name];
            Assert.True(run.ExitCode == 0, $"{name}: exit {run.ExitCode}\n{run.Text}");
            Assert.Equal(gfp, run.Options["gfp"]);
            Assert.Equal(freeOn, run.Options["free_on"]);
            Assert.Equal(bulk == 0 ? null : bulk.ToString(System.Globalization.CultureInfo.InvariantCulture), run.Options.GetValueOrDefault("bulk"));
            long allocs = run.Value(Metrics.KernelPageAllocs);
            Assert.True(allocs > 0, $"{name}: nothing allocated");
            Assert.Equal(allocs, run.Value(Metrics.KernelPageFrees));
            Assert.Equal(0, run.Event("stop").Details!["outstanding_blocks_after_free"]);
            Assert.Contains("outstanding 0", run.Text);
            Assert.True(run.Value(Metrics.KernelPageLatency("alloc", "p50")) > 0, $"{name}: no alloc latency");
            var cycle = run.Event("cycle").Details!;
            var workers = run.Records.Where(x => x.Event == "worker").ToList();
            Assert.Equal(2, workers.Count);
            if (freeOn == "other")
            {
                // Each CPU freed exactly what the other allocated.
                Assert.Equal(workers[0].Details!["allocs_count"], workers[1].Details!["frees_count"]);
                Assert.Equal(workers[1].Details!["allocs_count"], workers[0].Details!["frees_count"]);
                Assert.InRange(cycle["handoff_share"], 1e-6, 0.5);
            }
            else
            {
                Assert.Equal(0, cycle["handoff_share"]);
            }
            if (bulk > 0)
            {
                Assert.True(run.Value(Metrics.KernelPageLatency("bulk_call", "p50")) >= run.Value(Metrics.KernelPageLatency("alloc", "p50")));
                Assert.InRange(cycle["bulk_calls_count"], allocs / bulk, allocs);
            }
        }
        Assert.Equal((int)ExitCode.Usage, runs["one"].ExitCode);
        Assert.Contains("--free-on other: needs at least 2 CPUs", runs["one"].Text);
    }
}
