using Pab.Common.Kernel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pab.Common;
using Xunit.Abstractions;

namespace Pab.Tests.Exhaust;

/// <summary>Skips (at discovery, with the reason) where no limited memory cgroup can be made.</summary>
public sealed class CgroupFactAttribute : FactAttribute
{
    public CgroupFactAttribute()
    {
        using var box = CgroupSandbox.TryCreate(ExhaustCgroupTests.LimitBytes, out string why);
        if (box == null) Skip = "needs a memory cgroup with a limit: " + why;
    }
}

/// <summary>
/// The real tool, a real OOM kill: pab-exhaust runs (parent and child) inside a
/// memory cgroup limited to a few hundred MiB. The whole tool goes in, not just the
/// child, because that is the situation the tool is for: parent and child share one
/// memory budget and the OOM killer chooses between them, so "the parent survives"
/// is a real assertion here (with only the child limited the parent could never be
/// a victim). The parent reads the cgroup's usage just before the child starts
/// filling; what the cgroup charged after that is the fill, which lets the count be
/// compared with the kernel's own accounting.
/// </summary>
public sealed class ExhaustCgroupTests(ITestOutputHelper output)
{
    public const long LimitBytes = 320L << 20;
    private const long Chunk = 256L << 10;
    private const int Iterations = 2;

    [CgroupFact]
    public async Task ChildIsOomKilledInTheCgroupCountMatchesItsAccountingAndParentSurvives()
    {
        using var box = CgroupSandbox.TryCreate(LimitBytes, out string why) ?? throw new InvalidOperationException(why);
        var (exitCode, all) = await RunInCgroup(box, "--iterations", Iterations.ToString(CultureInfo.InvariantCulture), "--chunk", "256K");

        // The parent survived: it exited by itself, cleanly, after writing every record.
        Assert.Equal(0, exitCode);
        // The meta record first: the machine and the settings, as every tool writes it.
        var meta = all[0];
        Assert.Equal(RecordType.Meta, meta.Type);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), meta.Host!.KernelRelease);
        Assert.Equal(Iterations.ToString(CultureInfo.InvariantCulture), meta.Options!["iterations"]);
        Assert.Equal(ToolInfo.Version, meta.ToolVersions!["pab-exhaust"]);
        // The kernel's account of the phase (its free lists and counters) aside, one record per iteration.
        var account = all.Skip(1).Where(r => AccountMetrics.TrySplit(r.Metric ?? "", out _, out _)).ToList();
        Assert.Contains(account, r => r.Metric == "idle_free_bytes_start" && r.Value > 0);
        Assert.Contains(account, r => r.Metric == "idle_vmstat_oom_kill" && r.Value >= Iterations);
        var records = all.Skip(1).Except(account).ToList();
        Assert.Equal(Iterations, records.Count);
        // Exactly one OOM kill per iteration: the children, and nobody else.
        Assert.Equal(Iterations, box.OomKills);
        long peak = box.PeakBytes;
        output.WriteLine($"limit {LimitBytes} peak {peak}");
        Assert.InRange(peak, LimitBytes - (1L << 20), LimitBytes);

        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            Assert.Equal("idle_available_bytes", r.Metric);
            Assert.Equal(i, r.Iteration);
            Assert.Equal(0, r.Details!["capped"]);
            long value = r.Value!.Value;
            long resolution = (long)r.Details["resolution_bytes"];
            long before = (long)r.Details["cgroup_usage_before_fill_bytes"];
            Assert.Equal(Chunk * Environment.ProcessorCount, resolution);

            // What the cgroup charged during the fill: everything from the child's go to the kill.
            long accounted = peak - before;
            // The kernel also charges the fill's page tables (8 bytes per 4 KiB page) and
            // keeps up to 64 pages per CPU charged ahead (memcg charge batching).
            long kernelSide = value / 512 + 64L * Environment.SystemPageSize * Environment.ProcessorCount;
            output.WriteLine($"iteration {i}: value {value} accounted {accounted} gap {accounted - value} resolution {resolution} kernel-side {kernelSide}");
            Assert.True(value <= accounted + 64L * Environment.SystemPageSize * Environment.ProcessorCount,
                $"counted {value} bytes but the cgroup charged only {accounted} during the fill");
            Assert.True(accounted - value <= resolution + kernelSide,
                $"the cgroup charged {accounted} bytes during the fill, {accounted - value} more than counted ({value}); allowed: one resolution step {resolution} + kernel-side {kernelSide}");
            Assert.True(r.Details["fill_rate_bytes_per_s"] > 0);
        }
    }

    [CgroupFact]
    public async Task SigtermEndsTheChildAtOnceAndKeepsTheRecordsAlreadyWritten()
    {
        using var box = CgroupSandbox.TryCreate(LimitBytes, out string why) ?? throw new InvalidOperationException(why);
        using var p = StartInCgroup(box, "--iterations", "1000", "--chunk", "256K");
        var stderrTask = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        // The meta record and one whole iteration, then the signal lands during the next one's fill (or start).
        string meta = (await p.StandardOutput.ReadLineAsync(timeout.Token))!;
        Assert.Equal(RecordType.Meta, JsonSerializer.Deserialize(meta, RecordJsonContext.Default.Record)!.Type);
        // The phase's starting free lists come before the first iteration's record.
        string line = (await p.StandardOutput.ReadLineAsync(timeout.Token))!, first = line;
        while (JsonSerializer.Deserialize(line, RecordJsonContext.Default.Record)!.Metric != "idle_available_bytes")
            first += "\n" + (line = (await p.StandardOutput.ReadLineAsync(timeout.Token))!);
        if (Pab.Common.Native.kill(p.Id, Pab.Common.Native.SIGTERM) != 0)
        {
            // Gone before the signal: say how it ended (the OOM killer's choice shows as exit 137).
            string late = await p.StandardOutput.ReadToEndAsync(timeout.Token);
            await p.WaitForExitAsync(timeout.Token);
            Assert.Fail($"pab-exhaust ended (exit {p.ExitCode}) before the SIGTERM\n{first}\n{late}\n{await stderrTask}");
        }
        string rest = await p.StandardOutput.ReadToEndAsync(timeout.Token);
        await p.WaitForExitAsync(timeout.Token);
        output.WriteLine(first + "\n" + rest);
        output.WriteLine(await stderrTask);

        Assert.Equal(128 + 15, p.ExitCode);
        var lines = first.Split('\n').Concat(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var records = lines.Select(l => JsonSerializer.Deserialize(l, RecordJsonContext.Default.Record)!).ToList();
        Assert.All(records[..^1], r => Assert.Equal(RecordType.Metric, r.Type));
        Assert.Equal(RecordType.Event, records[^1].Type);
        Assert.Equal("interrupted", records[^1].Event);
        Assert.Contains("SIGTERM", records[^1].Message);
        // Nothing of the tool is left in the cgroup: the child went with the parent.
        Assert.Equal("", File.ReadAllText(Path.Join(box.Dir, "cgroup.procs")).Trim());
    }

    [CgroupFact]
    public async Task NoKernelAccountWritesNoAccountRecordsOrDetailsAndTheDefaultWritesThem()
    {
        foreach (bool on in new[] { false, true })
        {
            using var box = CgroupSandbox.TryCreate(LimitBytes, out string why) ?? throw new InvalidOperationException(why);
            string[] args = on ? ["--iterations", "1"] : ["--iterations", "1", "--no-kernel-account"];
            var (exitCode, all) = await RunInCgroup(box, args);
            Assert.Equal(0, exitCode);
            Assert.Equal(on ? "true" : "false", all[0].Options!["kernel_account"]);
            var account = all.Where(r => AccountMetrics.TrySplit(r.Metric ?? "", out _, out _)).ToList();
            var fill = Assert.Single(all, r => r.Metric == "idle_available_bytes");
            var accountDetails = fill.Details!.Keys.Where(k => k.StartsWith(AccountMetrics.VmStatPrefix, StringComparison.Ordinal) || k.StartsWith("peak_", StringComparison.Ordinal)).ToList();
            if (on)
            {
                Assert.Contains(account, r => r.Metric == "idle_free_bytes_start");
                Assert.Contains(account, r => r.Metric == "idle_free_bytes_end");
                Assert.Contains(account, r => r.Metric == "idle_vmstat_oom_kill" && r.Value >= 1);
                Assert.Contains(AccountMetrics.VmStatPrefix + "oom_kill", accountDetails);
            }
            else
            {
                Assert.Empty(account);
                Assert.Empty(accountDetails);
            }
        }
    }

    /// <summary>
    /// Starts pab-exhaust inside the cgroup: the shell moves itself in and only then becomes
    /// the tool, so nothing fills outside it; --max-bytes 2G is a second guard should the limit not hold.
    /// </summary>
    /// <summary>Runs pab-exhaust in the cgroup to its end (3 minutes at most); its exit code and records.</summary>
    private async Task<(int ExitCode, List<Pab.Common.Record> Records)> RunInCgroup(CgroupSandbox box, params string[] args)
    {
        using var p = StartInCgroup(box, args);
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(timeout.Token);
        output.WriteLine(stdout);
        output.WriteLine(await stderrTask);
        return (p.ExitCode, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize(l, RecordJsonContext.Default.Record)!).ToList());
    }

    private static Process StartInCgroup(CgroupSandbox box, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", box.Dir, PublishedTools.Of("pab-exhaust"), "--max-bytes", "2G" })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove(RunContext.LabelVariable);
        psi.Environment.Remove(RunContext.OrderVariable);
        return Process.Start(psi)!;
    }
}
