using Pab.Common;
using Record = Pab.Common.Record;
using static Pab.Tests.Report.ReportTestData;

namespace Pab.Tests.Report;

/// <summary>compare sets runs only against runs of the same antagonist mode (--gfp, --bulk, --free-on) unless --across-modes.</summary>
public sealed class ModeDifferenceTests : IDisposable
{
    private readonly TempDir _dir = new("pab-compare-mode-");

    public void Dispose() => _dir.Dispose();

    private string Side(string name, string run, Dictionary<string, string> modes)
    {
        var options = new Dictionary<string, string> { ["order"] = "4", ["cpus"] = "0-1", ["middle"] = "100", ["spread"] = "100" };
        foreach (var (k, v) in modes) options[k] = v;
        var meta = Record.Meta(new HostInfo { Cpus = 2 }, options);
        meta.Run = run;
        meta.Tool = "pab-antagonize";
        meta.Order = 4;
        meta.Time = DateTimeOffset.Parse("2026-11-22T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(_dir.Of(name), string.Join("\n", new[] { meta }.Concat(SmallRun(run)).Select(Line)) + "\n");
        return _dir.Of(name);
    }

    [Fact]
    public void DifferentGfpModesAreRefusedNamingEachSidesMode()
    {
        var (code, stdout, stderr) = RunCli("compare", "k=" + Side("a.jsonl", "A", new() { ["gfp"] = "kernel", ["free_on"] = "same" }),
            "at=" + Side("b.jsonl", "B", new() { ["gfp"] = "atomic", ["free_on"] = "same" }));
        Assert.Equal((int)ExitCode.Failed, code);
        Assert.Contains("order 4: the antagonist ran in different modes (k --gfp kernel --free-on same; at --gfp atomic --free-on same)", stderr);
        Assert.Contains("give --across-modes", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void RecordsFromBeforeTheModesAreTheDefaultMode()
    {
        var (code, _, stderr) = RunCli("compare", "old=" + Side("a.jsonl", "A", []),
            "new=" + Side("b.jsonl", "B", new() { ["gfp"] = "kernel", ["free_on"] = "same" }));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("modes", stderr);
    }

    [Fact]
    public void BulkAgainstNoBulkIsRefused()
    {
        var (code, _, stderr) = RunCli("compare", "a=" + Side("a.jsonl", "A", []), "b=" + Side("b.jsonl", "B", new() { ["bulk"] = "64" }));
        Assert.Equal((int)ExitCode.Failed, code);
        Assert.Contains("b --gfp kernel --free-on same --bulk 64", stderr);
    }

    [Fact]
    public void AcrossModesComparesAndSaysSo()
    {
        var (code, stdout, stderr) = RunCli("compare", "same=" + Side("a.jsonl", "A", new() { ["free_on"] = "same" }),
            "other=" + Side("b.jsonl", "B", new() { ["free_on"] = "other" }), "--across-modes");
        Assert.True(code == 0, stderr);
        string line = "order 4: the antagonist ran in different modes (same --gfp kernel --free-on same; other --gfp kernel --free-on other)";
        Assert.Contains("warning: " + line + " (--across-modes)", stderr);
        Assert.Contains(line, stdout);
    }
}
