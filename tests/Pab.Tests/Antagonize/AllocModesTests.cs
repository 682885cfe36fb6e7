using Pab.Antagonize;
using Pab.Common;

namespace Pab.Tests.Antagonize;

/// <summary>
/// --gfp, --bulk and --free-on: their parsing and refusals, the meta record, and the worker's logic for each
/// (the handoff between paired workers, the split of bulk calls) against in-memory page sources.
/// </summary>
public class AllocModesTests
{
    private static AntagonizeOptions Parse(params string[] args)
    {
        var pr = AntagonizeCommand.Build().Parse(args);
        Assert.Empty(pr.Errors);
        string? error = AntagonizeCommand.Validate(pr, out AntagonizeOptions? options);
        Assert.Null(error);
        return options!;
    }

    private static string Refusal(params string[] args)
    {
        var pr = AntagonizeCommand.Build().Parse(args);
        if (pr.Errors.Count > 0) return pr.Errors[0].Message;
        return AntagonizeCommand.Validate(pr, out _) ?? throw new Xunit.Sdk.XunitException("accepted: " + string.Join(' ', args));
    }

    [Fact]
    public void DefaultsAreTheOriginalsMode()
    {
        var o = Parse("--order", "0");
        Assert.Equal(Abi.GfpKernel, o.Gfp);
        Assert.Equal(0, o.Bulk);
        Assert.Equal(FreeOn.Same, o.FreeOn);
        Assert.False(o.AnyMode);
    }

    [Theory]
    [InlineData("kernel", 0u)]
    [InlineData("atomic", 1u)]
    [InlineData("noretry", 2u)]
    public void GfpNamesAreTheModulesModes(string name, uint mode)
    {
        var o = Parse("--order", "4", "--gfp", name);
        Assert.Equal(mode, o.Gfp);
        Assert.Equal(name, AllocModes.GfpName(mode));
    }

    [Fact]
    public void ModesParse()
    {
        var o = Parse("--order", "0", "--bulk", "64", "--free-on", "other", "--gfp", "atomic");
        Assert.Equal(64, o.Bulk);
        Assert.Equal(FreeOn.Other, o.FreeOn);
        Assert.Equal("--gfp atomic --bulk 64 --free-on other", o.ModeFlags);
    }

    [Theory]
    [InlineData(new[] { "--order", "0", "--gfp", "nowait" }, "--gfp 'nowait': not one of kernel, atomic, noretry")]
    [InlineData(new[] { "--order", "0", "--free-on", "any" }, "--free-on 'any': not one of same, other")]
    [InlineData(new[] { "--order", "0", "--bulk", "0" }, "--bulk 0: out of range (1 to 1024)")]
    [InlineData(new[] { "--order", "0", "--bulk", "1025" }, "--bulk 1025: out of range (1 to 1024)")]
    [InlineData(new[] { "--order", "4", "--bulk", "8" }, "--bulk: alloc_pages_bulk() allocates order-0 pages only, and --order 4 asks for order 4")]
    [InlineData(new[] { "--order", "0,2", "--idle-first", "--bulk", "8", "--", "true" }, "asks for order 2")]
    [InlineData(new[] { "--order", "0", "--bulk", "512", "--batch", "256" }, "--bulk 512: more than --batch 256")]
    [InlineData(new[] { "--order", "0", "--gfp", "atomic", "--batch", "1" }, "--batch 1 drives the original's single-page calls")]
    [InlineData(new[] { "--order", "0", "--free-on", "other", "--batch", "1" }, "not with --gfp, --bulk or --free-on")]
    [InlineData(new[] { "--order", "0", "--gfp", "noretry", "--selftest", "1000" }, "--selftest: not with --gfp, --bulk or --free-on")]
    public void BadModesAreRefusedNamingTheFlag(string[] args, string message) =>
        Assert.Contains(message, Refusal(args));

    [Fact]
    public void BadModesExit2AsAProcess()
    {
        var (code, _, stderr) = CliTests.Run("--order", "4", "--bulk", "16");
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("--bulk: alloc_pages_bulk() allocates order-0 pages only", stderr);
    }

    [Fact]
    public void FreeOnOtherOnOneCpuIsRefusedBeforeAnythingElse()
    {
        // Exit 2 whether or not the module is loaded or we are root: the pairing needs a second CPU.
        var (code, _, stderr) = CliTests.Run("--order", "0", "--free-on", "other", "--cpus", "0");
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("--free-on other: needs at least 2 CPUs", stderr);
    }

    [Fact]
    public void MetaSaysTheModes()
    {
        var host = new HostInfo();
        var plain = AntagonistRecords.Meta(Parse("--order", "0"), 0, [0, 1], host).Options!;
        Assert.Equal("kernel", plain["gfp"]);
        Assert.Equal("same", plain["free_on"]);
        Assert.False(plain.ContainsKey("bulk"));
        var modes = AntagonistRecords.Meta(Parse("--order", "0", "--gfp", "noretry", "--bulk", "32", "--free-on", "other"), 0, [0, 1], host).Options!;
        Assert.Equal("noretry", modes["gfp"]);
        Assert.Equal("other", modes["free_on"]);
        Assert.Equal("32", modes["bulk"]);
    }

    [Fact]
    public void PairingIsTheNextWorkerAndTheLastsTheFirst()
    {
        Assert.Equal(1, AllocModes.PartnerOf(0, 2));
        Assert.Equal(0, AllocModes.PartnerOf(1, 2));
        Assert.Equal(3, AllocModes.PartnerOf(2, 4));
        Assert.Equal(0, AllocModes.PartnerOf(3, 4));
    }

    /// <summary>A FIFO of blocks shared between threads: who allocated and who freed each, by thread.</summary>
    private sealed class SharedQueueSource(AntagonistControl control, long stopAfterAllocs, int bulk = 0) : IPageSource
    {
        private readonly Queue<ulong> _blocks = new();
        private ulong _next = 1;
        public long Allocs, Frees;
        public readonly HashSet<int> AllocThreads = [], FreeThreads = [];

        public int Alloc(int order, Span<PabBatchEntry> entries, out int done)
        {
            lock (_blocks)
            {
                AllocThreads.Add(Environment.CurrentManagedThreadId);
                for (done = 0; done < entries.Length; done++)
                {
                    // Bulk: a call's latency on its first entry, 0 on the others, as the module writes them.
                    entries[done] = new PabBatchEntry { Id = _next, LatencyNs = bulk == 0 ? 500 : done % bulk == 0 ? 1000 + done : 0 };
                    _blocks.Enqueue(_next++);
                }
                Allocs += done;
                if (Allocs >= stopAfterAllocs) control.RequestStop();
                return 0;
            }
        }

        public int FreeOldest(int order, Span<PabBatchEntry> entries, out int done)
        {
            lock (_blocks)
            {
                FreeThreads.Add(Environment.CurrentManagedThreadId);
                for (done = 0; done < entries.Length; done++)
                {
                    if (_blocks.Count == 0) return Native.ENOENT;
                    entries[done] = new PabBatchEntry { Id = _blocks.Dequeue(), LatencyNs = 300, Nid = -1 };
                }
                Frees += done;
                return 0;
            }
        }

        public int Count { get { lock (_blocks) return _blocks.Count; } }
    }

    private static readonly WorkerSettings Settings = new(Order: 0, Middle: 500, Spread: 400, Batch: 64, Latencies: true, Samples: 100, Seed: 7);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void FreeOnOtherFreesEveryBlockOnItsPartnerAndNoneOnItsOwn(int n)
    {
        var control = new AntagonistControl(n);
        var sources = Enumerable.Range(0, n).Select(_ => new SharedQueueSource(control, 40_000)).ToArray();
        var s = Settings with { FreeOn = FreeOn.Other };
        var shared = new OrderLatencies(100, 7);
        var workers = Enumerable.Range(0, n).Select(i => new Worker(i, 0, sources[i], control, s, shared)).ToArray();
        for (int i = 0; i < n; i++) workers[i].PairWith(workers[AllocModes.PartnerOf(i, n)], workers[(i + n - 1) % n]);
        var threads = workers.Select(w => new Thread(w.Run)).ToArray();
        var tids = new int[n];
        for (int i = 0; i < n; i++)
        {
            threads[i].Start();
            tids[i] = threads[i].ManagedThreadId;
        }
        control.Release();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a worker hung");

        for (int i = 0; i < n; i++)
        {
            Assert.Null(workers[i].Error);
            Assert.Equal(0, sources[i].Count); // everything freed
            Assert.Equal(sources[i].Allocs, sources[i].Frees);
            Assert.Equal([tids[i]], sources[i].AllocThreads);
            Assert.Equal([tids[AllocModes.PartnerOf(i, n)]], sources[i].FreeThreads); // only ever by its partner
            // A worker's frees are its predecessor's allocations.
            Assert.Equal(workers[(i + n - 1) % n].Allocs, workers[i].Frees);
            Assert.True(workers[i].ReachedMiddle);
            Assert.InRange(workers[i].PeakHeld, 1, 900);
        }
        var summaries = workers.Select(w => w.Summary()).ToList();
        Assert.All(summaries, w => Assert.True(w.Costs!.HandoffTicks > 0));
        var (records, messages) = WorkerResults.Of(summaries, new ResultSettings(0, 4096, 0, System.Diagnostics.Stopwatch.Frequency, true), shared);
        var cycle = records.Single(r => r.Event == "cycle").Details!;
        Assert.InRange(cycle["handoff_share"], 1e-9, 1);
        Assert.Equal(cycle["handoff_ns_per_block"] + cycle["module_calls_ns_per_block"], cycle["cycle_ns_per_block"], 0.2);
        Assert.Contains(messages, m => m.StartsWith("free-on other: the handoff took", StringComparison.Ordinal));
    }

    [Fact]
    public void AWorkerThatNeverRanDoesNotHangItsPartner()
    {
        var control = new AntagonistControl(2);
        var sources = new[] { new SharedQueueSource(control, 5_000), new SharedQueueSource(control, 5_000) };
        var s = Settings with { FreeOn = FreeOn.Other };
        var w = new[] { new Worker(0, 0, sources[0], control, s), new Worker(1, 0, sources[1], control, s) };
        w[0].PairWith(w[1], w[1]);
        w[1].PairWith(w[0], w[0]);
        w[1].NeverRan(); // its pin failed: the pool stops the run
        control.RequestStop();
        control.Release();
        var t = new Thread(w[0].Run);
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(30)), "worker 0 waited for a worker that never ran");
    }

    [Fact]
    public void SameModeHasNoHandoff()
    {
        var control = new AntagonistControl(1);
        var source = new SharedQueueSource(control, 20_000);
        var w = new Worker(0, 0, source, control, Settings);
        control.Release();
        w.Run();
        Assert.Equal(0, w.Summary().Costs!.HandoffTicks);
        var (records, messages) = WorkerResults.Of([w.Summary()], new ResultSettings(0, 4096, 0, System.Diagnostics.Stopwatch.Frequency, true), w.Shared);
        Assert.Equal(0, records.Single(r => r.Event == "cycle").Details!["handoff_share"]);
        Assert.DoesNotContain(messages, m => m.Contains("handoff", StringComparison.Ordinal));
    }

    [Fact]
    public void BulkCallsAreRecordedWholeAndSplitOverTheirPages()
    {
        var control = new AntagonistControl(1);
        var source = new SharedQueueSource(control, 10_000, bulk: 16);
        var w = new Worker(0, 0, source, control, Settings with { Bulk = 16 });
        control.Release();
        w.Run();
        var sum = w.Summary();
        Assert.NotNull(sum.BulkCallLatency);
        // Every allocation step asks for a multiple of nothing in particular: calls are ceil(n / 16) per step.
        Assert.True(sum.Costs!.BulkCalls >= w.Allocs / 16);
        Assert.Equal(sum.Costs.BulkCalls, sum.BulkCallLatency!.Count);
        var (records, _) = WorkerResults.Of([sum], new ResultSettings(0, 4096, 0, System.Diagnostics.Stopwatch.Frequency, true), w.Shared);
        long callP50 = records.Single(r => r.Metric == Metrics.KernelPageLatency("bulk_call", "p50")).Value!.Value;
        long pageP50 = records.Single(r => r.Metric == Metrics.KernelPageLatency("alloc", "p50")).Value!.Value;
        Assert.InRange(callP50, 1000, 1100); // 1000 + the call's first entry index
        Assert.InRange(pageP50, 1000 / 16 - 1, 1100 / 16 + 1); // a call's time over its 16 pages
        Assert.Equal(sum.Costs.BulkCalls, records.Single(r => r.Event == "cycle").Details!["bulk_calls_count"]);
    }

    [Fact]
    public void NoBulkNoBulkRecords()
    {
        var control = new AntagonistControl(1);
        var w = new Worker(0, 0, new SharedQueueSource(control, 5_000), control, Settings);
        control.Release();
        w.Run();
        var (records, _) = WorkerResults.Of([w.Summary()], new ResultSettings(0, 4096, 0, System.Diagnostics.Stopwatch.Frequency, true), w.Shared);
        Assert.DoesNotContain(records, r => r.Metric?.Contains("bulk", StringComparison.Ordinal) == true);
        Assert.False(records.Single(r => r.Event == "cycle").Details!.ContainsKey("bulk_calls_count"));
    }
}
