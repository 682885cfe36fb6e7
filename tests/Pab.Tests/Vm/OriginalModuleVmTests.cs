using System.Text.Json;

namespace Pab.Tests.Vm;

/// <summary>
/// The tools against the original benchmark's module, as a real kernel runs it: the stand-in is a
/// test-only module of this project's that answers just the original's two single-page calls, with one
/// pool for every open file and no version (tests/original-module: original_calls.c, built by build).
/// </summary>
[Collection("vm")]
[Trait(VmTraits.Category, VmTraits.Vm)]
public sealed class OriginalModuleVmTests
{
    private static string BuildStandIn(string suite)
    {
        var r = Exec.Run(RepoPaths.Of("tests", "original-module", "build"), ["--suite", suite], TimeSpan.FromMinutes(20));
        Assert.True(r.Code == 0, $"building the stand-in for the original module failed:\n{r.Output}");
        return r.Stdout.Trim();
    }

    [VmFact]
    public void TheToolsDetectTheOriginalDriveItWithSinglePageCallsAndRefuseWhatNeedsOurCalls()
    {
        var options = new VmOptions();
        string ko = BuildStandIn(options.Suite);
        var r = VmHarness.RunScript("""
            # Every step prints "step NAME rc=N"; its stdout is NAME.out, its stderr NAME.err.
            step() { name=$1; shift; "$@" > "$name.out" 2> "$name.err"; echo "step $name rc=$?"; sed "s/^/$name.err /" "$name.err"; }
            insmod ./page_alloc_bench-original-calls.ko; echo "insmod rc=$?"
            step status pab-load status
            step run pab-antagonize --order 0 --middle 200 --spread 200 --duration 2
            step wrapped pab-antagonize --order 2 --batch 1 --middle 100 --spread 100 -- true
            step selftest pab-antagonize --order 0 --selftest 1000
            step order pab-antagonize --order 11 --middle 1 --spread 1 --duration 1
            step insert pab-load insert
            step remove pab-load remove
            for f in status run; do grep -v '"type":"samples"' "$f.out" | sed "s/^/$f.out /"; done
            """, options with { AddFiles = [ko] });

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        int Rc(string step) => int.Parse(lines.Single(l => l.StartsWith($"step {step} rc=", StringComparison.Ordinal)).Split('=')[1]);
        List<string> Err(string step) => [.. lines.Where(l => l.StartsWith(step + ".err ", StringComparison.Ordinal)).Select(l => l[(step.Length + 5)..])];
        List<JsonElement> Out(string step) => [.. lines.Where(l => l.StartsWith(step + ".out {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[(step.Length + 5)..]).RootElement)];
        Assert.Contains("insmod rc=0", lines);
        Assert.DoesNotContain(lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal));

        // pab-load status names it, with no empty version.
        Assert.True(Rc("status") == 0, r.ToString());
        Assert.Contains("pab-load: page_alloc_bench is loaded: the original module (no info call), not this project's", Err("status"));
        var status = Out("status").Single();
        Assert.Equal("original", status.GetProperty("host").GetProperty("module_abi").GetString());

        // A run of workers is driven with the single-page calls, with one notice, and measures.
        Assert.True(Rc("run") == 0, r.ToString());
        var notice = Assert.Single(Err("run"), l => l.Contains("original module", StringComparison.Ordinal));
        Assert.Contains("driving it with its single-page calls, one block a call (as --batch 1, not --batch 256)", notice);
        var run = Out("run");
        var meta = run.Single(e => e.GetProperty("type").GetString() == "meta");
        Assert.Equal("original", meta.GetProperty("host").GetProperty("module_abi").GetString());
        Assert.Equal("1", meta.GetProperty("options").GetProperty("batch").GetString());
        Assert.Contains(run, e => e.TryGetProperty("event", out var ev) && ev.GetString() == "original_module");
        var allocs = run.Where(e => e.TryGetProperty("metric", out var m) && m.GetString() == "kernel_page_allocs").ToList();
        Assert.True(allocs.Sum(e => e.GetProperty("value").GetInt64()) > 0, r.ToString());
        var stop = run.Single(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "stop");
        Assert.Equal(0, stop.GetProperty("details").GetProperty("outstanding_blocks_after_free").GetDouble());
        Assert.False(stop.GetProperty("details").TryGetProperty("module_total_outstanding_blocks", out _));

        // Around a command, at --batch 1 and order 2: the notice without the batch remark.
        Assert.True(Rc("wrapped") == 0, r.ToString());
        Assert.Contains(Err("wrapped"), l => l.EndsWith("driving it with its single-page calls, one block a call", StringComparison.Ordinal));

        // What needs this project's calls is refused as an ABI mismatch, in a sentence saying why.
        Assert.True(Rc("selftest") == 10, r.ToString());
        Assert.Contains(Err("selftest"), l => l.Contains("--selftest needs this project's module", StringComparison.Ordinal)
            && l.Contains("is the original module", StringComparison.Ordinal));
        // An order above the kernel's is refused before the original could pass it to alloc_pages().
        Assert.True(Rc("order") == (int)Pab.Common.ExitCode.OrderRejected, r.ToString());
        Assert.Contains("pab-antagonize: --order 11: the kernel takes orders 0 to 10 (/proc/buddyinfo)", Err("order"));
        // Inserting this project's module over it says what is loaded.
        Assert.True(Rc("insert") == 7, r.ToString());
        Assert.Contains(Err("insert"), l => l.Contains("it is the original module (no info call)", StringComparison.Ordinal));
        Assert.True(Rc("remove") == 0, r.ToString());

        // The tools never sent it a call it does not know, and it had nothing left to free at unload.
        Assert.DoesNotContain("unknown ioctl", r.Dmesg);
        KernelLogCheck.AssertClean(r.Dmesg);
    }
}
