using System.Text.Json;

namespace Pab.Tests.Vm;

/// <summary>
/// The foundation end to end, on Debian's stock kernel: pab-load inserts the module,
/// pab-modcheck drives every ioctl from C#, pab-load removes it, and nothing leaks or warns.
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class ModuleVmTests
{
    private static readonly Lazy<string> ModCheck = new(PublishModCheck);

    /// <summary>Publishes the test-only pab-modcheck self-contained into build/test-bin, shared into the guest.</summary>
    private static string PublishModCheck()
    {
        string output = RepoPaths.Of("build", "test-bin");
        var r = Exec.Run("dotnet", "publish", RepoPaths.Of("tests", "pab-modcheck", "pab-modcheck.csproj"), "-c", "Release",
            "-r", "linux-x64", "--self-contained", "--artifacts-path", RepoPaths.Of("build", "obj"), "-o", output);
        Assert.True(r.Code == 0, $"publishing pab-modcheck failed:\n{r.Output}");
        return output;
    }

    [VmFact]
    public void UnloadingUnderARunningAntagonistFreesEverythingAndTheAntagonistReportsAnError()
    {
        var r = VmHarness.RunScript("""
            settle() { sync; echo 3 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory; sleep 1; }
            memfree() { awk '/^MemFree:/ {f=$2} $1=="count:" {p+=$2} END {print f + p*4}' /proc/meminfo /proc/zoneinfo; }
            pab-load status >/dev/null 2>&1
            settle; echo "memfree_before_kb $(memfree)"
            pab-load insert >/dev/null 2>&1
            pab-antagonize --order 0 --duration 600 > ant.jsonl 2> ant.err &
            ant=$!
            while ! grep -q '"steady"' ant.jsonl 2>/dev/null; do sleep 0.2; done
            pab-load remove > /dev/null 2> rm1.err; echo "remove rc=$?"
            cat rm1.err
            pab-load remove --force > rm2.out 2>/dev/null; echo "remove_force rc=$?"
            grep -o '"outstanding_blocks":[0-9]*' rm2.out | sed 's/.*:/freed_by_unload /'
            wait $ant; echo "antagonist rc=$?"
            grep -c '"metric":"kernel_page_allocs"' ant.jsonl | sed 's/^/allocs_records /'
            test -e /sys/module/page_alloc_bench && echo "module still loaded" || echo "module unloaded"
            settle; echo "memfree_after_kb $(memfree)"
            """);

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        long Num(string key) => long.Parse(lines.Single(l => l.StartsWith(key + " ", StringComparison.Ordinal)).Split(' ')[1]);

        Assert.Contains("remove rc=8", lines);
        Assert.Contains(lines, l => l.Contains("(pab-antagonize)", StringComparison.Ordinal));
        Assert.Contains("remove_force rc=0", lines);
        long freed = Num("freed_by_unload");
        Assert.True(freed > 0, $"the antagonist held nothing when the module went away\n{r}");
        Assert.Contains("antagonist rc=13", lines); // ExitCode.ModuleCallFailed
        Assert.True(Num("allocs_records") == 1, $"the antagonist lost what it measured\n{r}");
        Assert.Contains("module unloaded", lines);
        long before = Num("memfree_before_kb"), after = Num("memfree_after_kb");
        Assert.True(Math.Abs(before - after) <= 1024, $"MemFree {before} kB before insert, {after} kB after the forced unload\n{r}");
        KernelLogCheck.AssertClean(r.Dmesg);
        Console.WriteLine($"unload under the antagonist: {freed} blocks freed by the unload, {Math.Abs(before - after)} kB of free memory not back, 0 warnings");
    }

    [VmFact]
    public void ModuleLifecycleAndAbiEndToEnd()
    {
        var r = VmHarness.RunScript("""
            # Every step prints "step NAME rc=N"; the test reads them back.
            step() { name=$1; shift; "$@" > "out.$name" 2>&1; echo "step $name rc=$?"; cat "out.$name" >&2; }
            settle() { sync; echo 3 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory; sleep 1; }
            # Free pages include those parked on the per-CPU lists, which MemFree leaves out.
            memfree() { awk '/^MemFree:/ {f=$2} $1=="count:" {p+=$2} END {print f + p*4}' /proc/meminfo /proc/zoneinfo; }
            step status-unloaded pab-load status
            settle; echo "memfree_before_kb $(memfree)"
            step insert pab-load insert
            step insert-again pab-load insert
            step modcheck /opt/pab/share/pab-modcheck
            step status-loaded pab-load status
            step remove pab-load remove
            step status-removed pab-load status
            settle; echo "memfree_after_kb $(memfree)"
            grep -h . out.insert out.status-loaded out.remove | grep '^{' | sed 's/^/record /'
            sed 's/^/modcheck /' out.modcheck
            """, new VmOptions { ShareDir = ModCheck.Value });

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        int Rc(string step) =>
            int.Parse(lines.Single(l => l.StartsWith($"step {step} rc=", StringComparison.Ordinal)).Split('=')[1]);
        long Kb(string key) => long.Parse(lines.Single(l => l.StartsWith(key + " ", StringComparison.Ordinal)).Split(' ')[1]);

        Assert.True(Rc("status-unloaded") == 3, r.ToString());
        Assert.True(Rc("insert") == 0, r.ToString());
        Assert.True(Rc("insert-again") == 0, r.ToString());
        Assert.True(Rc("modcheck") == 0, r.ToString());
        Assert.True(Rc("status-loaded") == 0, r.ToString());
        Assert.True(Rc("remove") == 0, r.ToString());
        Assert.True(Rc("status-removed") == 3, r.ToString());

        // Every check of pab-modcheck passed and none is missing.
        var checks = lines.Where(l => l.StartsWith("modcheck ok - ", StringComparison.Ordinal) || l.StartsWith("modcheck not ok", StringComparison.Ordinal)).ToList();
        Assert.True(checks.Count >= 14 && checks.All(c => c.StartsWith("modcheck ok", StringComparison.Ordinal)), string.Join('\n', checks) + "\n" + r);
        Assert.Contains("modcheck ok - a client killed with SIGKILL leaves nothing outstanding", lines);

        // pab-load's records: the insert names the module, the status shows nothing outstanding.
        var records = lines.Where(l => l.StartsWith("record ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["record ".Length..]).RootElement).ToList();
        Assert.Contains(records, e => e.GetProperty("type").GetString() == "meta");
        var inserted = records.Single(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "module_inserted");
        Assert.Equal(Pab.Common.Abi.AbiVersion, inserted.GetProperty("details").GetProperty("abi_version").GetDouble());
        var status = records.Single(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "module_status");
        Assert.Equal(0, status.GetProperty("details").GetProperty("outstanding_blocks").GetDouble());
        Assert.Contains(records, e => e.TryGetProperty("event", out var ev) && ev.GetString() == "module_removed");

        // Nothing the module allocated stays allocated.
        long before = Kb("memfree_before_kb"), after = Kb("memfree_after_kb");
        Assert.True(Math.Abs(before - after) <= 1024, $"MemFree {before} kB before insert, {after} kB after remove\n{r}");

        KernelLogCheck.AssertClean(r.Dmesg);
    }
}
