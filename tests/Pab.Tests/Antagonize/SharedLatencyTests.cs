using Pab.Antagonize;
using Pab.Common;

namespace Pab.Tests.Antagonize;

/// <summary>What an order's CPUs record together: one sample, and histograms whose slow buckets they share.</summary>
public class SharedLatencyTests
{
    private static PabBatchEntry[] Entries(IEnumerable<long> latencies) =>
        [.. latencies.Select(l => new PabBatchEntry { LatencyNs = l })];

    [Fact]
    public void RecordersOnSeveralCpusMergeToTheHistogramOfEveryValue()
    {
        var random = new Random(9);
        var slow = new LatencyHistogram();
        var recorders = Enumerable.Range(0, 8).Select(_ => new LatencyRecorder(slow)).ToArray();
        var all = new LatencyHistogram();
        var batches = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 200)
            .Select(_ => Entries(Enumerable.Range(0, 64).Select(_ => (long)Math.Exp(random.NextDouble() * Math.Log(1e6)) * 50))).ToArray()).ToArray();
        foreach (var cpu in batches) foreach (var b in cpu) foreach (var e in b) all.Record(e.LatencyNs);
        Parallel.For(0, 8, i => { foreach (var b in batches[i]) recorders[i].Record(b); });
        var merged = new LatencyHistogram();
        merged.Add(slow);
        foreach (var r in recorders) r.AddTo(merged);
        Assert.Equal(all.Count, merged.Count);
        Assert.Equal(all.Sum, merged.Sum);
        Assert.Equal((all.Min, all.Max), (merged.Min, merged.Max));
        foreach (double q in new[] { 0.1, 0.5, 0.9, 0.99, 0.999, 1.0 }) Assert.Equal(all.Percentile(q), merged.Percentile(q));
        Assert.True(all.Max >= 1L << LatencyRecorder.LocalExponent, "the test must reach the shared buckets");
    }

    [Fact]
    public void ACpusOwnBucketsStayUnderAQuarterMebibyte()
    {
        // Both kinds of a CPU: its memory must not grow past 256 KiB per CPU with the sample and the rest.
        Assert.True(2L * LatencyRecorder.LocalBuckets * sizeof(long) <= 128 * 1024, $"{LatencyRecorder.LocalBuckets} buckets");
    }

    [Fact]
    public void NegativeLatenciesCountAsZero()
    {
        var r = new LatencyRecorder(new LatencyHistogram());
        r.Record(Entries([-5, 3]));
        var h = r.Alone();
        Assert.Equal(0, h.Min);
        Assert.Equal(3, h.Max);
    }

    [Fact]
    public void SharedSampleIsUniformOverEveryCpusValues()
    {
        // CPUs 0 and 1 offer values 0..999 and 1000..3999 (one is three times as fast): the shared sample
        // of 400 should hold them in proportion, about 100 and 300, over many trials.
        const int trials = 200;
        long low = 0, high = 0, seen = 0;
        for (int t = 0; t < trials; t++)
        {
            var shared = new Reservoir(400, (ulong)t + 1);
            var draws = new[] { new SplitMix64((ulong)t * 2 + 11), new SplitMix64((ulong)t * 2 + 12) };
            var a = Entries(Enumerable.Range(0, 1000).Select(i => (long)i));
            var b = Entries(Enumerable.Range(1000, 3000).Select(i => (long)i));
            Parallel.Invoke(
                () => { for (int i = 0; i < a.Length; i += 50) shared.Add(a.AsSpan(i, 50), ref draws[0]); },
                () => { for (int i = 0; i < b.Length; i += 50) shared.Add(b.AsSpan(i, 50), ref draws[1]); });
            Assert.Equal(4000, shared.Seen);
            Assert.Equal(400, shared.Sample.Length);
            foreach (long v in shared.Sample) { if (v < 1000) low++; else high++; }
            seen += shared.Sample.Length;
        }
        Assert.InRange(low / (double)seen, 0.23, 0.27);
        Assert.Equal(seen, low + high);
    }

    [Fact]
    public void AnOrderWritesOneSamplesRecordPerKindForAllItsCpus()
    {
        var shared = new OrderLatencies(50, 1);
        var summaries = new List<WorkerSummary>();
        for (int cpu = 0; cpu < 4; cpu++)
        {
            var alloc = new LatencyRecorder(shared.AllocSlow);
            var free = new LatencyRecorder(shared.FreeSlow);
            var batch = Entries(Enumerable.Range(0, 100).Select(i => 100L + cpu * 1000 + i * 1000L));
            var draws = new SplitMix64((ulong)cpu + 1);
            alloc.Record(batch);
            free.Record(batch);
            shared.AllocSample.Add(batch, ref draws);
            shared.FreeSample.Add(batch, ref draws);
            summaries.Add(new WorkerSummary(cpu, 0, cpu, 100, 100, 0, 0, 10, 0, 1000, new HeldIntegral(), alloc, free));
        }
        var (records, _) = WorkerResults.Of(summaries, new ResultSettings(0, 4096, 0, 1000, Latencies: true), shared);
        var samples = records.Where(r => r.Type == RecordType.Samples).ToList();
        Assert.Equal(2, samples.Count);
        Assert.All(samples, r =>
        {
            Assert.Null(r.Cpu);
            Assert.Equal(400, r.Population);
            Assert.Equal(50, r.Values!.Length);
            Assert.Equal(400, r.Details!["operations_count"]);
            // The slowest value, 100 + 3000 + 99000 ns, lies in the shared buckets: the max is exact.
            Assert.Equal(102_100, r.Details["max_ns"]);
        });
        var p50 = records.Single(r => r.Metric == Metrics.KernelPageLatency("alloc", "p50"));
        Assert.Equal((long)samples[0].Details!["p50_ns"], p50.Value);
    }
}
