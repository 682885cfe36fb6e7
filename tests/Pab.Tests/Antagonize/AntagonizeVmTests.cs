using System.Text.Json;
using Pab.Common;
using Pab.Tests.Vm;
using Xunit.Abstractions;
using Record = Pab.Common.Record;

namespace Pab.Tests.Antagonize;

/// <summary>
/// pab-antagonize against the real module in a 2-CPU QEMU guest. Each guest script runs several scenarios
/// and prints "=== NAME rc=N" before the scenario's JSON-lines output; the tests parse the records.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class AntagonizeVmTests(ITestOutputHelper output)
{
    private sealed record Scenario(string Name, int ExitCode, List<Record> Records, List<string> Text)
    {
        public IEnumerable<Record> Events(string name) => Records.Where(r => r.Type == RecordType.Event && r.Event == name);
        public Record Metric(string name) => Records.Single(r => r.Type == RecordType.Metric && r.Metric == name);
        public long Value(string name) => Metric(name).Value ?? throw new InvalidOperationException(name + " has no value");
    }

    private static Dictionary<string, Scenario> Parse(string stdout)
    {
        var result = new Dictionary<string, Scenario>();
        Scenario? current = null;
        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                string[] parts = line[4..].Split(" rc=");
                current = new Scenario(parts[0], int.Parse(parts[1].Trim()), [], []);
                result[current.Name] = current;
            }
            else if (current != null && line.StartsWith('{'))
            {
                current.Records.Add(JsonSerializer.Deserialize(line, RecordJsonContext.Default.Record)!);
            }
            else if (current != null && line.Trim().Length > 0)
            {
                current.Text.Add(line.Trim());
            }
        }
        return result;
    }

    // Outstanding blocks per pab-load status, printed as "outstanding N".
    private const string Helpers = """
        insmod /opt/pab/kmod/page_alloc_bench.ko || { echo "insmod failed" >&2; exit 90; }
        export PAB_RUN_ID=vm-antagonize-run
        # The kernel log is checked from here on (boot-time warnings are the harness's business).
        echo "pab-antagonize-test: start" >/dev/kmsg
        outstanding() { echo "outstanding $(pab-load status 2>/dev/null | sed -n 's/.*"outstanding_blocks":\([0-9]*\).*/\1/p')"; }
        """;

    private static void AssertCleanKernelLogAfterStart(VmResult r)
    {
        int start = r.Dmesg.IndexOf("pab-antagonize-test: start", StringComparison.Ordinal);
        Assert.True(start >= 0, "the test's start marker is missing from the kernel log");
        KernelLogCheck.AssertClean(r.Dmesg[start..]);
    }

    private static void AssertOutstandingZero(Scenario s) =>
        Assert.Contains("outstanding 0", s.Text);

    private static void AssertPinnedOneEach(Scenario s, int cpus)
    {
        var pinned = s.Events("pinned").ToList();
        Assert.Equal(cpus, pinned.Count);
        foreach (var p in pinned)
            Assert.EndsWith($"Cpus_allowed_list {p.Cpu}", p.Message);
        Assert.Equal(cpus, pinned.Select(p => p.Details!["tid"]).Distinct().Count());
        // Read back from the kernel: the workers run at the default niceness, below a fill's.
        Assert.All(pinned, p => Assert.Equal(Pab.Antagonize.AntagonizeOptions.DefaultNice, p.Details!["nice"]));
    }

    private static void AssertCountsAndLatencies(Scenario s, int cpus)
    {
        long allocs = s.Value(Metrics.KernelPageAllocs);
        Assert.True(allocs > 0, "no allocations");
        Assert.Equal(allocs, s.Value(Metrics.KernelPageFrees));
        Assert.Equal(0, s.Events("stop").Single().Details!["outstanding_blocks_after_free"]);
        Assert.True(s.Value(Metrics.KernelHeldBytes) > 0);
        Assert.True(s.Value(Metrics.KernelPageAllocRate) > 0);
        Assert.InRange(s.Value(Metrics.KernelPageAllocsRemote), 0, allocs);
        Assert.Equal(cpus, s.Events("worker").Count());
        Assert.All(s.Events("worker"), w => Assert.True(w.Details!["allocs_count"] > 0, $"CPU {w.Cpu} allocated nothing"));
        foreach (string metric in new[] { Metrics.KernelPageAllocLatenciesNs, Metrics.KernelPageFreeLatenciesNs })
        {
            var samples = s.Records.Where(r => r.Type == RecordType.Samples && r.Metric == metric).ToList();
            // One sample for all CPUs (its memory does not grow with them).
            Assert.Single(samples);
            Assert.All(samples, r =>
            {
                Assert.Null(r.Cpu);
                Assert.NotEmpty(r.Values!);
                Assert.True(r.Values!.Length <= 100_000);
                Assert.Equal(Math.Min(r.Population!.Value, 100_000), r.Values.Length);
                Assert.True(r.Details!["p50_ns"] > 0 && r.Details["p50_ns"] <= r.Details["p99_ns"] && r.Details["p99_ns"] <= r.Details["max_ns"]);
            });
            Assert.Equal(allocs, samples.Sum(r => r.Population));
        }
        Assert.True(s.Value(Metrics.KernelPageLatency("alloc", "p50")) > 0);
        Assert.True(s.Value(Metrics.KernelPageLatency("alloc", "p99_9")) <= s.Value(Metrics.KernelPageLatency("alloc", "max")));
        Assert.Equal(allocs, (long)s.Metric(Metrics.KernelPageLatency("free", "p50")).Details!["operations_count"]);
    }

    [VmFact]
    public void Orders0And4WrapACommandPinnedCountedAndFreedEvenAfterSIGKILL()
    {
        var r = VmHarness.RunScript(Helpers + """

            # The child's own value at once (inherited at fork); the antagonist's a second later: it raises
            # its shield again when the start returns, which a shell's first command can beat.
            child='adj=$(cat /proc/self/oom_score_adj); sleep 1; echo "child adj=$adj parent_adj=$(cat /proc/$PPID/oom_score_adj) label=$PAB_LABEL order=$PAB_ORDER run=$PAB_RUN_ID"; sleep 2; exit 7'
            for o in 0 4; do
                pab-antagonize --order $o -- sh -c "$child" >wrap$o.jsonl 2>wrap$o.err
                echo "=== wrap$o rc=$?"; cat wrap$o.jsonl; cat wrap$o.err >&2; outstanding
            done
            pab-antagonize --order 0 --batch 1 --duration 2 >batch1.jsonl 2>batch1.err
            echo "=== batch1 rc=$?"; cat batch1.jsonl; cat batch1.err >&2; outstanding

            pab-antagonize --order 0 >kill.jsonl 2>kill.err &
            pid=$!
            i=0; while ! grep -q '"event":"steady"' kill.jsonl && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
            during=$(outstanding)
            kill -9 $pid; wait $pid; rc=$?
            echo "=== kill rc=$rc"; cat kill.jsonl; echo "during: $during"; outstanding

            steady() { i=0; while ! grep -q '"event":"steady"' "$1" && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done; }
            # SIGTERM without a command: a normal stop, records written.
            pab-antagonize --order 0 >term.jsonl 2>term.err &
            pid=$!; steady term.jsonl; kill -TERM $pid; wait $pid; rc=$?
            echo "=== term rc=$rc"; cat term.jsonl; outstanding
            # SIGTERM with a command: forwarded to it; the antagonist exits with its status (143).
            pab-antagonize --order 0 -- sleep 60 >termcmd.jsonl 2>termcmd.err &
            pid=$!; steady termcmd.jsonl; sleep 1; kill -TERM $pid; wait $pid; rc=$?
            echo "=== termcmd rc=$rc"; cat termcmd.jsonl; outstanding

            pab-antagonize --order 0 --selftest 20000 >selftest.jsonl 2>selftest.err
            echo "=== selftest rc=$?"; cat selftest.jsonl; cat selftest.err >&2

            # More than memory in 4 MiB blocks on one CPU: order-10 allocations fail once no free 4 MiB block
            # is left (counted, retried), while fragmented small pages remain for everyone else. (At order 4 the
            # antagonist, immune to the OOM killer, took the last pages and the kernel panicked: deadlocked on memory.)
            timeout -s TERM 60 pab-antagonize --order 10 --cpus 0 --middle 400 --spread 0 --batch 8 --no-latencies --no-hold-limit >enomem.jsonl 2>enomem.err
            echo "=== enomem rc=$?"; cat enomem.jsonl; cat enomem.err >&2; outstanding
            """, new VmOptions { TimeoutSeconds = 900 });
        output.WriteLine(r.ToString());
        var s = Parse(r.Stdout);

        void Wrapped(int order)
        {
            var w = s[$"wrap{order}"];
            Assert.Equal(7, w.ExitCode); // the command's status
            Assert.Contains($"child adj=0 parent_adj=-1000 label=antagonized order={order} run=vm-antagonize-run", w.Text);
            var steady = w.Events("steady").Single();
            var command = w.Events("command").Single();
            Assert.True(w.Records.IndexOf(steady) < w.Records.IndexOf(command), "steady must come before the command starts");
            Assert.All(w.Records, rec => Assert.Equal("vm-antagonize-run", rec.Run));
            Assert.All(w.Records.Where(rec => rec.Type != RecordType.Meta), rec => Assert.Equal(order, rec.Order));
            AssertPinnedOneEach(w, 2);
            AssertCountsAndLatencies(w, 2);
            Assert.Equal(0, w.Value(Metrics.KernelAllocFailures));
            Assert.Equal(0, w.Value(Metrics.KernelPageAllocsRemote)); // one node
            Assert.Equal(4096L << order, (long)w.Metric(Metrics.KernelPageAllocRate).Details!["page_bytes"]);
            AssertOutstandingZero(w);
        }

        // Every scenario is checked and reported before the test fails, so one failure hides no other.
        CheckEach(
            ("kernel log", () =>
            {
                AssertCleanKernelLogAfterStart(r);
                Assert.DoesNotContain("page allocation failure", r.Dmesg);
                Assert.DoesNotContain("Killed process", r.Dmesg);
            }),
            ("wrap0", () => Wrapped(0)),
            ("wrap4", () => Wrapped(4)),
            ("batch1", () =>
            {
                var b1 = s["batch1"];
                Assert.Equal(0, b1.ExitCode);
                Assert.Equal("1", b1.Records.Single(rec => rec.Type == RecordType.Meta).Options!["batch"]);
                AssertCountsAndLatencies(b1, 2);
                AssertOutstandingZero(b1);
            }),
            ("kill", () =>
            {
                var k = s["kill"];
                Assert.Equal(137, k.ExitCode);
                Assert.Single(k.Events("steady"));
                Assert.Empty(k.Events("stop"));
                string during = k.Text.Single(t => t.StartsWith("during: outstanding ", StringComparison.Ordinal));
                Assert.True(long.Parse(during["during: outstanding ".Length..]) > 0, during); // it held pages when killed
                AssertOutstandingZero(k);
            }),
            ("term", () =>
            {
                var term = s["term"];
                Assert.Equal(0, term.ExitCode);
                Assert.Equal("signal", term.Events("stop").Single().Message);
                AssertCountsAndLatencies(term, 2);
                AssertOutstandingZero(term);
            }),
            ("termcmd", () =>
            {
                var termcmd = s["termcmd"];
                Assert.Equal(143, termcmd.ExitCode);
                Assert.Equal("command exited with status 143", termcmd.Events("stop").Single().Message);
                AssertCountsAndLatencies(termcmd, 2);
                AssertOutstandingZero(termcmd);
            }),
            ("selftest", () =>
            {
                var st = s["selftest"];
                Assert.Equal(0, st.ExitCode);
                Assert.True(st.Value(Metrics.KernelSelftestAllocRate) > 0);
                Assert.Equal(2, st.Events("selftest").Count());
                Assert.All(st.Events("selftest"), ev => Assert.Equal(20_000, ev.Details!["allocs_count"] + ev.Details["failures_count"]));
            }),
            ("enomem", () =>
            {
                var e = s["enomem"];
                Assert.Equal(0, e.ExitCode); // stopped by SIGTERM without a command: a normal end
                Assert.Empty(e.Events("steady"));
                Assert.Equal("stopped before steady state", e.Events("stop").Single().Message);
                Assert.True(e.Value(Metrics.KernelAllocFailures) > 0, "no allocation failed");
                Assert.True(e.Value(Metrics.KernelPageAllocs) > 0);
                Assert.Equal(e.Value(Metrics.KernelPageAllocs), e.Value(Metrics.KernelPageFrees));
                AssertOutstandingZero(e);
            }));
    }

    /// <summary>Runs every scenario's checks, writes each outcome, then fails once naming every scenario that failed.</summary>
    private void CheckEach(params (string Name, Action Check)[] scenarios)
    {
        var failures = new List<string>();
        foreach (var (name, check) in scenarios)
        {
            try
            {
                check();
                output.WriteLine($"scenario {name}: ok");
            }
            catch (Exception e)
            {
                output.WriteLine($"scenario {name}: FAILED");
                failures.Add($"--- {name} ---\n{e.Message}");
            }
        }
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {scenarios.Length} scenarios failed: {string.Join(", ", failures.Select(f => f.Split('\n')[0].Trim('-', ' ')))}\n{string.Join("\n", failures)}");
    }

    [VmFact]
    public void TwoNodesCountRemotePages()
    {
        var r = VmHarness.RunScript(Helpers + """

            pab-antagonize --order 0 -- sleep 2 >numa.jsonl 2>numa.err
            echo "=== numa rc=$?"; cat numa.jsonl; cat numa.err >&2; outstanding
            # 600 MiB on CPU 0, whose node has 512 MiB: the rest must come from node 1.
            pab-antagonize --order 10 --cpus 0 --middle 150 --spread 0 --duration 2 --no-latencies --no-hold-limit >spill.jsonl 2>spill.err
            echo "=== spill rc=$?"; cat spill.jsonl; cat spill.err >&2; outstanding
            """, new VmOptions { Numa = true, TimeoutSeconds = 900 });
        output.WriteLine(r.ToString());
        AssertCleanKernelLogAfterStart(r);
        var s = Parse(r.Stdout);

        var n = s["numa"];
        Assert.Equal(0, n.ExitCode);
        AssertPinnedOneEach(n, 2);
        var nodes = n.Events("pinned").ToDictionary(p => p.Cpu!.Value, p => p.Details!["node"]);
        Assert.Equal(0, nodes[0]);
        Assert.Equal(1, nodes[1]);
        AssertCountsAndLatencies(n, 2);
        Assert.Equal(2, n.Metric(Metrics.KernelPageAllocsRemote).Details!["numa_nodes_count"]);
        AssertOutstandingZero(n);

        var spill = s["spill"];
        Assert.Equal(0, spill.ExitCode);
        long allocs = spill.Value(Metrics.KernelPageAllocs), remote = spill.Value(Metrics.KernelPageAllocsRemote);
        Assert.True(remote > 0, $"no remote pages out of {allocs}");
        Assert.True(remote < allocs, $"every one of {allocs} pages remote");
        AssertOutstandingZero(spill);
    }

    [VmFact]
    public void TheOrderFileNamesEachOrderAsItBeginsAndSoTheOneACommandFailedIn()
    {
        // A command speaking the phase link in sh: order 0 measured both ways, then it fails in order 4's idle phase.
        var r = VmHarness.RunScript(Helpers + """

            cat >link.sh <<'SH'
            r=${PAB_PHASE_FDS%,*} w=${PAB_PHASE_FDS#*,}
            read -r word <&"$r"; echo "command: $word, order file $(cat order.txt)"
            echo antagonize >&"$w"
            read -r word <&"$r"; echo "command: $word"
            echo next >&"$w"
            read -r word <&"$r"; echo "command: $word, order file $(cat order.txt)"
            exit 3
            SH
            echo 11 >order.txt
            pab-antagonize --order 0,4 --idle-first --order-file order.txt -- sh link.sh >link.jsonl 2>link.err
            echo "=== link rc=$?"; cat link.jsonl; cat link.err >&2; echo "after: order file $(cat order.txt)"; outstanding
            """, new VmOptions { TimeoutSeconds = 900 });
        output.WriteLine(r.ToString());
        AssertCleanKernelLogAfterStart(r);
        var link = Parse(r.Stdout)["link"];
        Assert.Equal(3, link.ExitCode); // the command's status
        Assert.Equal(["command: ready 0, order file 0", "command: steady", "command: ready 4, order file 4", "after: order file 4"],
            link.Text.Where(t => t.StartsWith("command: ", StringComparison.Ordinal) || t.StartsWith("after: ", StringComparison.Ordinal)));
        Assert.Equal([0, 4], link.Records.Where(rec => rec.Type == RecordType.Meta).Select(m => m.Order ?? -1));
        AssertOutstandingZero(link);
    }
}
