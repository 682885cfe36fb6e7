using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;

namespace Pab.Tests.Report;

/// <summary>compare says when the sides' antagonists held differently (their hold derived from different machines).</summary>
public sealed class HoldDifferenceTests : IDisposable
{
    private readonly TempDir _dir = new("pab-compare-hold-");

    public void Dispose() => _dir.Dispose();

    private string Side(string name, string run, string cpus, string middle, long? machineBytes)
    {
        var options = new Dictionary<string, string> { ["order"] = "4", ["cpus"] = cpus, ["middle"] = middle, ["spread"] = middle };
        if (machineBytes is long m)
        {
            options["hold_derived"] = "middle,spread";
            options["hold_machine_bytes"] = m.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var meta = Record.Meta(new HostInfo { Cpus = 2 }, options);
        meta.Run = run;
        meta.Tool = "pab-antagonize";
        meta.Order = 4;
        meta.Time = DateTimeOffset.Parse("2026-11-22T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var records = new[] { meta }.Concat(SmallRun(run)).Select(Line);
        File.WriteAllText(_dir.Of(name), string.Join("\n", records) + "\n");
        return _dir.Of(name);
    }

    [Fact]
    public void DifferentDerivedHoldsAreNamedWithTheMachineEachCameFrom()
    {
        var (code, stdout, stderr) = RunCli("compare", "small=" + Side("a.jsonl", "A", "0-1", "1000", 1L << 30),
            "big=" + Side("b.jsonl", "B", "0-15", "341", 2L << 30));
        Assert.True(code == 0, stderr);
        string expected = "order 4: the antagonist held differently (small --middle 1000 --spread 1000 (middle and spread derived from 2 CPUs and 1.00 GiB); " +
            "big --middle 341 --spread 341 (middle and spread derived from 16 CPUs and 2.00 GiB))";
        Assert.True(stderr.Contains("warning: " + expected, StringComparison.Ordinal), stderr);
        Assert.Contains(expected, stdout);
    }

    [Fact]
    public void LikeHoldsSayNothing()
    {
        var (code, stdout, stderr) = RunCli("compare", "a=" + Side("a.jsonl", "A", "0-1", "1000", 1L << 30),
            "b=" + Side("b.jsonl", "B", "0-1", "1000", 1L << 30));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("held differently", stderr + stdout);
    }

    [Fact]
    public void GivenHoldsThatDifferAreNamedToo()
    {
        var (_, _, stderr) = RunCli("compare", "a=" + Side("a.jsonl", "A", "0-1", "1000", null), "b=" + Side("b.jsonl", "B", "0-1", "500", null));
        Assert.Contains("(a --middle 1000 --spread 1000; b --middle 500 --spread 500)", stderr);
    }
}
