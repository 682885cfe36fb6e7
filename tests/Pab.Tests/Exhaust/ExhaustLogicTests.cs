using System.Diagnostics;
using System.Text.Json;
using Pab.Common;
using Pab.Exhaust;

namespace Pab.Tests.Exhaust;

public class ExhaustLogicTests
{
    private static readonly ExhaustSettings Settings = new() { ChunkBytes = 2L << 20, Workers = 4, MmapBytes = 64L << 20 };

    // wait(2) statuses as the kernel builds them.
    private static int Killed(int sig) => sig;
    private static int Exited(int code) => code << 8;

    private static ChildSnapshot Snap(ChildState state, long filled = 100L << 20, ChildError error = ChildError.None, int errno = 0, long size = 0) =>
        new(state, error, errno, size, filled, 128L << 20, 64L << 20, false,
            ReadyTicks: 5, StartTicks: 10, LastTicks: 10 + Stopwatch.Frequency / 2, BaselineRssBytes: 1 << 20);

    // The C child (tools/pab-exhaust/child) asserts the same offsets on its side.
    [Fact]
    public void SharedPageLayoutIsTheOneTheCChildAsserts()
    {
        Assert.Equal(40, (int)System.Runtime.InteropServices.Marshal.OffsetOf<SharedPage>(nameof(SharedPage.Go)));
        Assert.Equal(56, (int)System.Runtime.InteropServices.Marshal.OffsetOf<SharedPage>(nameof(SharedPage.State)));
        Assert.Equal(80, (int)System.Runtime.InteropServices.Marshal.OffsetOf<SharedPage>(nameof(SharedPage.Filled)));
        Assert.Equal(136, (int)System.Runtime.InteropServices.Marshal.OffsetOf<SharedPage>(nameof(SharedPage.BaselineRssBytes)));
        Assert.Equal(144, System.Runtime.InteropServices.Marshal.SizeOf<SharedPage>());
        Assert.True(File.Exists(Pab.Exhaust.ChildSpawn.ChildPath), $"{Pab.Exhaust.ChildSpawn.ChildPath} was not built beside pab-exhaust");
    }

    [Fact]
    public void WaitStatusDecodingMatchesSysWaitH()
    {
        Assert.True(ExhaustNative.WIfSignaled(Killed(9)));
        Assert.Equal(9, ExhaustNative.WTermSig(Killed(9)));
        Assert.False(ExhaustNative.WIfExited(Killed(9)));
        Assert.True(ExhaustNative.WIfExited(Exited(3)));
        Assert.Equal(3, ExhaustNative.WExitStatus(Exited(3)));
        Assert.False(ExhaustNative.WIfSignaled(Exited(0)));
        Assert.False(ExhaustNative.WIfSignaled(0x137f)); // stopped, not ended
        Assert.True(ExhaustNative.WIfSignaled(0x80 | 9)); // killed, core dumped flag
    }

    [Fact]
    public void SigkillWhileFillingWithAnOomKillCountedIsTheMeasurement()
    {
        var o = Outcomes.Classify(Killed(9), Snap(ChildState.Filling), Settings, 0, null, oomKillsDuring: 1);
        Assert.Equal(OutcomeKind.OomKilled, o.Kind);
        // Without /proc/vmstat the kill is taken on trust.
        Assert.Equal(OutcomeKind.OomKilled, Outcomes.Classify(Killed(9), Snap(ChildState.Filling), Settings, 0, null, null).Kind);
    }

    [Fact]
    public void SigkillWithoutAnOomKillIsSomeoneElse()
    {
        var o = Outcomes.Classify(Killed(9), Snap(ChildState.Filling), Settings, 0, null, oomKillsDuring: 0);
        Assert.Equal(OutcomeKind.Failed, o.Kind);
        Assert.Contains("no OOM kill", o.Message);
    }

    [Fact]
    public void OtherSignalsAndExitsAreErrorsThatSayWhatHappened()
    {
        var segv = Outcomes.Classify(Killed(11), Snap(ChildState.Filling), Settings, 0, null, 1);
        Assert.Equal(OutcomeKind.Failed, segv.Kind);
        Assert.Contains("SIGSEGV", segv.Message);

        var exited = Outcomes.Classify(Exited(0), Snap(ChildState.Filling), Settings, 0, null, 0);
        Assert.Equal(OutcomeKind.Failed, exited.Kind);
        Assert.Contains("exited with status 0 instead of being OOM-killed", exited.Message);

        var early = Outcomes.Classify(Killed(9), Snap(ChildState.Starting, 0), Settings, 0, null, 1);
        Assert.Contains("before it started filling", early.Message);
    }

    [Fact]
    public void CappedOnlyCountsWhenACapWasAskedFor()
    {
        var capped = Settings with { MaxBytes = 100L << 20 };
        Assert.Equal(OutcomeKind.Capped, Outcomes.Classify(Exited(0), Snap(ChildState.Capped), capped, 0, null, 0).Kind);
        Assert.Equal(OutcomeKind.Failed, Outcomes.Classify(Exited(0), Snap(ChildState.Capped), Settings, 0, null, 0).Kind);
    }

    [Fact]
    public void InterruptionAndParentGivingUpWinOverTheStatus()
    {
        Assert.Equal(OutcomeKind.Interrupted, Outcomes.Classify(Killed(9), Snap(ChildState.Filling), Settings, 2, null, 0).Kind);
        var stalled = Outcomes.Classify(Killed(9), Snap(ChildState.Filling), Settings, 0, "child made no progress", 0);
        Assert.Equal(OutcomeKind.Failed, stalled.Kind);
        Assert.Equal("child made no progress", stalled.Message);
    }

    [Fact]
    public void MmapRefusalNamesTheSizeTheFlagAndStrictOvercommit()
    {
        var s = Snap(ChildState.Failed, error: ChildError.MmapRefused, errno: 12, size: 2L << 20);
        var o = Outcomes.Classify(Exited(3), s, Settings, 0, null, 0);
        Assert.Equal(OutcomeKind.Failed, o.Kind);
        Assert.Contains("mmap of 2097152 bytes", o.Message);
        Assert.Contains("--mmap-size", o.Message);
        Assert.Contains("vm.overcommit_memory=2", o.Message);
    }

    [Fact]
    public void OomScoreAdjRefusalSaysSo()
    {
        var s = Snap(ChildState.Failed, 0, ChildError.OomScoreAdj, errno: 13);
        var o = Outcomes.Classify(Exited(3), s, Settings, 0, null, 0);
        Assert.Contains("oom_score_adj", o.Message);
        Assert.Contains("errno 13", o.Message);
    }

    [Fact]
    public void RecordHasMetricValueResolutionDurationAndRate()
    {
        var settings = Settings with { Label = "antagonized", Order = 2 };
        var s = Snap(ChildState.Filling, filled: 1L << 30);
        var r = Outcomes.MetricRecord(settings, 3, s, new Outcome(OutcomeKind.OomKilled, null), 5 << 20, new ResidentMemory(12 << 20, 9 << 20, 4 << 20), 0.25);
        Assert.Equal(RecordType.Metric, r.Type);
        Assert.Equal("antagonized_available_bytes", r.Metric);
        Assert.Equal(1L << 30, r.Value);
        Assert.Equal(2, r.Order);
        Assert.Equal(3, r.Iteration);
        Assert.Equal(Units.Bytes, r.Unit);
        Assert.Equal((2L << 20) * 4, r.Details!["resolution_bytes"]);
        Assert.Equal(0.5, r.Details["duration_s"], 3);
        Assert.Equal(2.0 * (1L << 30), r.Details["fill_rate_bytes_per_s"], 0);
        Assert.Equal(0, r.Details["capped"]);
        Assert.Equal(5 << 20, r.Details["cgroup_usage_before_fill_bytes"]);
        Assert.Equal(12 << 20, r.Details["parent_rss_bytes"]);
        Assert.Equal(9 << 20, r.Details["parent_pss_bytes"]);
        Assert.Equal(4 << 20, r.Details["parent_anon_bytes"]);
        Assert.Null(r.Message);

        // It survives the record format round trip.
        var back = JsonSerializer.Deserialize(JsonSerializer.Serialize(r, RecordJsonContext.Default.Record), RecordJsonContext.Default.Record)!;
        Assert.Equal(r.Value, back.Value);
        Assert.Equal(r.Details["resolution_bytes"], back.Details!["resolution_bytes"]);
    }

    [Fact]
    public void CappedRecordSaysItWasCapped()
    {
        var settings = Settings with { MaxBytes = 1L << 30 };
        var r = Outcomes.MetricRecord(settings, 0, Snap(ChildState.Capped, 1L << 30), new Outcome(OutcomeKind.Capped, null), null, null, 0);
        Assert.Equal(1, r.Details!["capped"]);
        Assert.Contains("capped at --max-bytes", r.Message);
        Assert.False(r.Details.ContainsKey("cgroup_usage_before_fill_bytes"));
    }

    [Fact]
    public void ProgressLineFitsAndNamesUnits()
    {
        Span<char> buf = stackalloc char[160];
        Assert.True(Progress.TryFormat(buf, 0, 5, 3L << 30, 1.5 * (1L << 30), out int n));
        string line = buf[..n].ToString();
        Assert.Contains("iteration 1/5", line);
        Assert.Contains("3.000 GiB filled", line);
        Assert.Contains("1.50 GiB/s", line);
    }

    [Theory]
    [InlineData("12:memory:/a/b\n0::/x\n", "/sys/fs/cgroup/memory/a/b/memory.usage_in_bytes")]
    [InlineData("4:cpu,memory:/\n", "/sys/fs/cgroup/memory/memory.usage_in_bytes")]
    [InlineData("0::/user.slice/s\n", "/sys/fs/cgroup/user.slice/s/memory.current")]
    [InlineData("3:cpu:/\n", null)]
    public void MemoryCgroupUsageFileFromProcSelfCgroup(string text, string? expected) =>
        Assert.Equal(expected, ProcStatus.MemoryCgroupUsageFile(text));

    [Fact]
    public void SmapsRollupGivesRssPssAndAnonymousInBytes()
    {
        const string text = "55a0c0000000-7ffd00000000 ---p 00000000 00:00 0    [rollup]\n" +
            "Rss:               38512 kB\nPss:               21004 kB\nPss_Anon:           6020 kB\n" +
            "Pss_File:          14984 kB\nShared_Clean:      30000 kB\nAnonymous:          6020 kB\nSwap:  0 kB\n";
        Assert.Equal(new ResidentMemory(38512L * 1024, 21004L * 1024, 6020L * 1024), ResidentMemory.Parse(text));
        Assert.Null(ResidentMemory.Parse("Pss: 12 kB\n"));
        var self = ResidentMemory.Read();
        Assert.NotNull(self);
        Assert.InRange(self.Value.PssBytes, 1, self.Value.RssBytes);
    }

    [Fact]
    public void ResolutionIsChunkTimesWorkers() =>
        Assert.Equal(8L << 20, (Settings with { Workers = 4 }).ResolutionBytes);
}
