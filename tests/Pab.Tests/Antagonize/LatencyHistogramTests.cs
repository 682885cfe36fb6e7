using Pab.Antagonize;

namespace Pab.Tests.Antagonize;

public class LatencyHistogramTests
{
    private static long Exact(long[] sorted, double q) =>
        sorted[Math.Max(1, (long)Math.Ceiling(q * sorted.Length)) - 1];

    private static readonly double[] Qs = [0.5, 0.9, 0.99, 0.999, 1.0];

    [Fact]
    public void BelowOneMicrosecondEveryPercentileIsExact()
    {
        var random = new Random(5);
        long[] values = [.. Enumerable.Range(0, 100_001).Select(_ => (long)random.Next(0, 1024))];
        var h = new LatencyHistogram();
        foreach (long v in values) h.Record(v);
        Array.Sort(values);
        foreach (double q in Qs) Assert.Equal(Exact(values, q), h.Percentile(q));
        Assert.Equal(values[0], h.Min);
        Assert.Equal(values[^1], h.Max);
        Assert.Equal(values.Average(), h.Mean, 6);
    }

    [Fact]
    public void AboveItPercentilesAreNeverLowAndAtMostATenthOfAPercentHigh()
    {
        var random = new Random(6);
        // Log-uniform from 100 ns to 100 ms: the spread page allocation latencies have.
        long[] values = [.. Enumerable.Range(0, 200_000).Select(_ => (long)Math.Exp(random.NextDouble() * Math.Log(1e6)) * 100)];
        var h = new LatencyHistogram();
        foreach (long v in values) h.Record(v);
        Array.Sort(values);
        foreach (double q in Qs.Append(0.25).Append(0.75))
        {
            long exact = Exact(values, q), reported = h.Percentile(q);
            Assert.True(reported >= exact, $"q {q}: {reported} < {exact}");
            Assert.True(reported <= exact * (1 + LatencyHistogram.RelativePrecision), $"q {q}: {reported} too far above {exact}");
        }
        Assert.Equal(values[^1], h.Percentile(1.0));
        Assert.Equal(200_000, h.Count);
    }

    [Fact]
    public void BucketsTileTheRangeWithoutGaps()
    {
        long expectedLow = 0;
        for (int i = 0; i < 31 * 1024; i++)
        {
            var (low, high) = LatencyHistogram.Bounds(i);
            Assert.Equal(expectedLow, low);
            Assert.Equal(i, LatencyHistogram.Index(low));
            Assert.Equal(i, LatencyHistogram.Index(high));
            Assert.True(high - low + 1 <= Math.Max(1, low / 1024.0), $"bucket {i} [{low},{high}] wider than 1/1024 of its low edge");
            expectedLow = high + 1;
        }
        Assert.Equal(1L << 40, expectedLow);
    }

    [Fact]
    public void MergedHistogramsEqualOneOverEverything()
    {
        var random = new Random(7);
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var all = new LatencyHistogram();
        for (int i = 0; i < 50_000; i++)
        {
            long v = random.NextInt64(50, 5_000_000);
            (i % 3 == 0 ? a : b).Record(v);
            all.Record(v);
        }
        var merged = new LatencyHistogram();
        merged.Add(a);
        merged.Add(b);
        foreach (double q in Qs) Assert.Equal(all.Percentile(q), merged.Percentile(q));
        Assert.Equal(all.Count, merged.Count);
        Assert.Equal(all.Min, merged.Min);
        Assert.Equal(all.Sum, merged.Sum);
    }

    [Fact]
    public void EmptyAndOutOfRangeValues()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.Percentile(0.5));
        h.Record(-5);
        h.Record(long.MaxValue);
        Assert.Equal(0, h.Min);
        Assert.Equal(long.MaxValue, h.Max);
        Assert.Equal(long.MaxValue, h.Percentile(1.0));
        Assert.Equal(0, h.Percentile(0.5));
    }

    [Fact]
    public void BatchesCountExactlyAsSingleValuesDo()
    {
        var one = new LatencyHistogram();
        var batched = new LatencyHistogram();
        var entries = new Pab.Common.PabBatchEntry[300];
        var random = new System.Random(7);
        for (int round = 0; round < 50; round++)
        {
            int n = random.Next(entries.Length + 1);
            for (int i = 0; i < n; i++)
            {
                entries[i].LatencyNs = random.Next(10) == 0 ? -5 : (long)Math.Pow(2, random.NextDouble() * 42);
                one.Record(entries[i].LatencyNs);
            }
            batched.Record(entries.AsSpan(0, n));
        }
        Assert.Equal((one.Count, one.Sum, one.Min, one.Max), (batched.Count, batched.Sum, batched.Min, batched.Max));
        foreach (double q in Qs) Assert.Equal(one.Percentile(q), batched.Percentile(q));
    }
}
