using Pab.Common;

namespace Pab.Tests.Common;

/// <summary>The highest order, from /proc/buddyinfo, where the module (the original) cannot say.</summary>
public sealed class KernelMaxOrderTests
{
    [Fact]
    public void ElevenCountsAreOrdersZeroToTen()
    {
        const string buddyinfo = """
            Node 0, zone      DMA      1      1      0      0      2      1      1      0      1      1      3
            Node 0, zone    DMA32   1311    871    602    388    227     95     37     16      7      4    118

            """;
        Assert.Equal(10, KernelMaxOrder.Parse(buddyinfo));
    }

    [Fact]
    public void TheWidestLineCountsAndOtherTextIsIgnored()
    {
        Assert.Equal(12, KernelMaxOrder.Parse("Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11 12 13\nsomething else\nNode 1, zone Normal x 1\n"));
        Assert.Null(KernelMaxOrder.Parse(""));
    }

    [Fact]
    public void ThisMachinesBuddyinfoIsRead()
    {
        int? max = KernelMaxOrder.Read();
        Assert.NotNull(max);
        Assert.InRange(max!.Value, 9, 20);
        using var dir = new TempDir("pab-buddyinfo");
        Assert.Null(KernelMaxOrder.Read(dir.Path));
    }
}
