using Pab.Common;

namespace Pab.Tests.Common;

public class CpuListTests
{
    [Theory]
    [InlineData("0", new[] { 0 })]
    [InlineData("0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("0-3,8,10-11", new[] { 0, 1, 2, 3, 8, 10, 11 })]
    [InlineData("0-3,8,10-11\n", new[] { 0, 1, 2, 3, 8, 10, 11 })]
    [InlineData("8,0-1,1", new[] { 0, 1, 8 })]
    [InlineData(" 5 ", new[] { 5 })]
    [InlineData("0-7:2/4", new[] { 0, 1, 4, 5 })]
    [InlineData("0-9:1/3", new[] { 0, 3, 6, 9 })]
    [InlineData("", new int[0])]
    [InlineData("\n", new int[0])]
    public void ParsesTheKernelFormat(string text, int[] expected)
    {
        Assert.True(CpuList.TryParse(text, out int[] cpus, out string? error), error);
        Assert.Equal(expected, cpus);
    }

    [Theory]
    [InlineData("a", "not a CPU number")]
    [InlineData("1-", "not a CPU number")]
    [InlineData("-1", "not a CPU number")]
    [InlineData("3-1", "descending")]
    [InlineData("0,,1", "empty item")]
    [InlineData("0-3:5/4", "bad stride")]
    [InlineData("3:1/2", "needs a range")]
    [InlineData("0-9000", "beyond CPU")]
    [InlineData("1 2", "not a CPU number")]
    public void RejectsMalformedListsNamingThePart(string text, string reason)
    {
        Assert.False(CpuList.TryParse(text, out _, out string? error));
        Assert.Contains(reason, error);
        Assert.Throws<FormatException>(() => CpuList.Parse(text));
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 8, 10, 11 }, "0-3,8,10-11")]
    [InlineData(new[] { 5 }, "5")]
    [InlineData(new[] { 3, 1, 2, 2 }, "1-3")]
    [InlineData(new[] { 7, 7 }, "7")]
    [InlineData(new[] { 9, 0, 1, 1, 5, 9 }, "0-1,5,9")]
    [InlineData(new int[0], "")]
    public void FormatsLikeTheKernel(int[] cpus, string expected)
    {
        Assert.Equal(expected, CpuList.Format(cpus));
        Assert.Equal(cpus.Distinct().Order(), CpuList.Parse(expected));
    }
}
