using Pab.Antagonize;

namespace Pab.Tests.Antagonize;

public class ReservoirTests
{
    [Fact]
    public void FewerValuesThanCapacityAreAllKeptInOrder()
    {
        var r = new Reservoir(100, 1);
        for (int i = 0; i < 37; i++) r.Add(i * 10);
        Assert.Equal(37, r.Seen);
        Assert.Equal(Enumerable.Range(0, 37).Select(i => (long)i * 10), r.Sample.ToArray());
    }

    [Fact]
    public void SampleIsTruncatedToCapacity()
    {
        var r = new Reservoir(50, 1);
        for (int i = 0; i < 10_000; i++) r.Add(i);
        Assert.Equal(10_000, r.Seen);
        Assert.Equal(50, r.Sample.Length);
        Assert.Equal(50, r.Sample.ToArray().Distinct().Count());
        Assert.All(r.Sample.ToArray(), v => Assert.InRange(v, 0, 9_999));
    }

    [Fact]
    public void ZeroCapacityCountsButKeepsNothing()
    {
        var r = new Reservoir(0, 1);
        for (int i = 0; i < 10; i++) r.Add(i);
        Assert.Equal(10, r.Seen);
        Assert.Equal(0, r.Sample.Length);
    }

    [Fact]
    public void EveryPositionIsEquallyLikelyToBeKept()
    {
        // 2000 reservoirs of 10 from streams of 100: each value should be kept ~200 times (p = 0.1).
        const int trials = 2000, capacity = 10, stream = 100;
        var kept = new int[stream];
        for (int t = 0; t < trials; t++)
        {
            var r = new Reservoir(capacity, (ulong)t + 1);
            for (int i = 0; i < stream; i++) r.Add(i);
            foreach (long v in r.Sample) kept[v]++;
        }
        double expected = trials * (double)capacity / stream;
        double chi2 = kept.Sum(k => (k - expected) * (k - expected) / expected);
        // 99 degrees of freedom: the 99.9 % quantile is about 149. Early, middle and late thirds alike.
        Assert.True(chi2 < 149, $"chi-square {chi2:0.0} says the sample is not uniform");
        Assert.InRange(kept.Take(33).Average(), expected * 0.9, expected * 1.1);
        Assert.InRange(kept.Skip(67).Average(), expected * 0.9, expected * 1.1);
    }

    [Fact]
    public void SameSeedSameSample()
    {
        var a = new Reservoir(20, 9);
        var b = new Reservoir(20, 9);
        for (int i = 0; i < 5000; i++) { a.Add(i); b.Add(i); }
        Assert.Equal(a.Sample.ToArray(), b.Sample.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(5_000)]
    public void BatchesSampleExactlyAsSingleValuesDo(int capacity)
    {
        var one = new Reservoir(capacity, 42);
        var batched = new Reservoir(capacity, 42);
        var entries = new Pab.Common.PabBatchEntry[256];
        long v = 0;
        for (int round = 0; round < 100; round++)
        {
            int n = 1 + round * 37 % entries.Length;
            for (int i = 0; i < n; i++, v++)
            {
                entries[i].LatencyNs = v * 7 % 1001 - 3;
                one.Add(entries[i].LatencyNs);
            }
            batched.Add(entries.AsSpan(0, n));
        }
        Assert.Equal(one.Seen, batched.Seen);
        Assert.Equal(one.Sample.ToArray(), batched.Sample.ToArray());
    }
}
