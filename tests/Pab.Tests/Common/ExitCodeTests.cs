using System.Text.RegularExpressions;
using Pab.Common;

namespace Pab.Tests.Common;

/// <summary>The one exit-code table: the enum, docs/conventions.md and each tool's --help say the same numbers.</summary>
public sealed partial class ExitCodeTests
{
    [GeneratedRegex(@"^\| (\d+) \| ", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [Fact]
    public void TheDocsTableListsEveryCodeOnce()
    {
        string doc = File.ReadAllText(RepoPaths.Of("docs", "conventions.md"));
        int[] documented = TableRow().Matches(doc).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        int[] codes = Enum.GetValues<ExitCode>().Select(c => (int)c).Distinct().Order().ToArray();
        Assert.Equal(codes, documented);
        Assert.Contains("| 128+N | killed by signal N", doc);
    }

    [Fact]
    public void KeptNumbersStay()
    {
        // Scripts test these; another tool's meaning must never take them.
        Assert.Equal(1, (int)ExitCode.Failed);
        Assert.Equal(2, (int)ExitCode.Usage);
        Assert.Equal(3, (int)ExitCode.NotLoaded);
        Assert.Equal(4, (int)ExitCode.NotRoot);
        Assert.Equal(10, (int)ExitCode.AbiMismatch);
        Assert.Equal(127, (int)ExitCode.CommandNotStarted);
    }

    [Theory]
    [InlineData("pab-load", new[] { 3, 4, 5, 6, 7, 8, 9, 10 })]
    [InlineData("pab-exhaust", new[] { 15 })]
    [InlineData("pab-antagonize", new[] { 3, 4, 10, 11, 12, 13, 14, 127 })]
    [InlineData("pab-report", new int[0])]
    public void EachHelpEndsWithTheCodesItUses(string tool, int[] own)
    {
        var r = Exec.Run(PublishedTools.Of(tool), ["--help"], TimeSpan.FromSeconds(60));
        string section = r.Stdout[r.Stdout.IndexOf("Exit codes:", StringComparison.Ordinal)..];
        foreach (int code in own.Concat([0, 1, 2, 70]))
            Assert.Contains($"{code,5}  {ExitCodes.Describe((ExitCode)code)}", section);
        Assert.Contains("128+N  killed by signal N", section);
    }
}
