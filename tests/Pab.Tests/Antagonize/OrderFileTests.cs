using Pab.Antagonize;
using Pab.Common;

namespace Pab.Tests.Antagonize;

/// <summary>--order-file: what a script reads to know which order failed, without parsing records.</summary>
public class OrderFileTests
{
    [Fact]
    public void EachOrderReplacesTheLastWholly()
    {
        using var dir = new TempDir("pab-order-file");
        File.WriteAllText(dir.Of("order"), "a previous run's\n");
        using (var file = OrderFile.Open(dir.Of("order"), out string? error))
        {
            Assert.Null(error);
            Assert.Equal("", File.ReadAllText(dir.Of("order"))); // none has begun
            Assert.Null(file!.Write(10));
            Assert.Equal("10\n", File.ReadAllText(dir.Of("order")));
            Assert.Null(file.Write(4));
            Assert.Equal("4\n", File.ReadAllText(dir.Of("order")));
        }
        Assert.Equal("4\n", File.ReadAllText(dir.Of("order"))); // the failed order stays named
    }

    [Fact]
    public void AFileThatCannotBeWrittenIsNamedAndExits1()
    {
        using var dir = new TempDir("pab-order-file");
        string path = Path.Combine(dir.Path, "missing", "order");
        var (code, stdout, stderr) = CliTests.Run("--order", "0", "--order-file", path);
        Assert.Equal((int)ExitCode.Failed, code);
        Assert.Contains($"pab-antagonize: --order-file {path}: cannot write: no such directory", stderr);
        Assert.Contains("\"event\":\"error\"", stdout);
        Assert.DoesNotContain("Unhandled exception", stderr);
    }

    [Fact]
    public void ARunRefusedBeforeAnyOrderBeganLeavesItEmpty()
    {
        // On this host the module is not loaded (or not root): refused after the command started, before any order.
        using var dir = new TempDir("pab-order-file");
        File.WriteAllText(dir.Of("order"), "11\n");
        var (code, _, stderr) = CliTests.Run("--order", "0,4", "--idle-first", "--order-file", dir.Of("order"), "--", "true");
        Assert.True(code is (int)ExitCode.NotLoaded or (int)ExitCode.NoModuleSupport or (int)ExitCode.NotRoot, $"exit {code}: {stderr}");
        Assert.Equal("", File.ReadAllText(dir.Of("order")));
    }
}
