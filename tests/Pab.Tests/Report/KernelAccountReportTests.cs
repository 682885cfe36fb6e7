using System.Globalization;
using System.Text.Json.Nodes;
using static Pab.Tests.Report.ReportTestData;

namespace Pab.Tests.Report;

/// <summary>
/// The kernel's account in the report and in compare, on the records of a real run (Debian 6.1 in the VM, orders
/// 0 and 4, 2 iterations; its latency samples left out): fixtures/account/bookworm-run.jsonl.
/// </summary>
public sealed class KernelAccountReportTests : IDisposable
{
    private static readonly string Fixture = RepoPaths.Of("tests", "Pab.Tests", "Report", "fixtures", "account", "bookworm-run.jsonl");
    private readonly TempDir _dir = new("pab-account-");

    public void Dispose() => _dir.Dispose();

    private static List<JsonObject> Records() =>
        File.ReadAllLines(Fixture).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private string Write(string name, IEnumerable<JsonObject> records)
    {
        File.WriteAllLines(_dir.Of(name), records.Select(r => r.ToJsonString()));
        return _dir.Of(name);
    }

    private static bool IsAccount(JsonObject r) =>
        r["metric"]?.GetValue<string>() is { } m && Pab.Common.Kernel.AccountMetrics.TrySplit(m, out _, out _);

    [Fact]
    public void ReportShowsTheAccountPerOrderAndPhase()
    {
        var (code, stdout, stderr) = RunCli(Fixture);
        Assert.True(code == 0, stderr);
        foreach (int order in new[] { 0, 4 })
            Assert.Contains($"The kernel's account, order {order} (/proc/vmstat over each phase; mean of 1 run)", stdout);
        string order4 = stdout[stdout.IndexOf("The kernel's account, order 4", StringComparison.Ordinal)..];
        // Headline counters as the records have them: direct reclaim 94 idle against 315 antagonized.
        Assert.Matches(@"allocstall_movable\s+94\s+315\s", order4);
        Assert.Matches(@"oom_kill\s+2\s+2\s", order4);
        Assert.Contains("Also moved: compact_daemon_wake,", order4);
        // Free memory at the end of each phase by block order: order-10 blocks 744 MiB idle, 588 MiB antagonized (111 MiB held).
        Assert.Matches(@"\n10\s+744\.0\s+588\.0\s+0\.0\s+588\.0", order4);
    }

    [Fact]
    public void FailuresThePressureExplainsAreAMeasurementNotAWarning()
    {
        var (_, stdout, stderr) = RunCli(Fixture);
        Assert.Contains("Failures: 4 failed allocation(s) of 39,317 (0.01 %) in the antagonized phase, while its fills drove memory to the OOM killer (oom_kill 2, allocstall + compact_stall 327): the pressure explains them.", stdout);
        Assert.DoesNotContain("kernel_alloc_failures", stderr);

        // Without the kernel's account nothing tells: the warning stays.
        (_, _, stderr) = RunCli(Write("plain.jsonl", Records().Where(r => !IsAccount(r))));
        Assert.Contains("the kernel workers failed 4 allocation(s) (4 failed allocation(s) of 39,317 (0.01 %) in the antagonized phase; no kernel's account", stderr);

        // More than 1 % of allocations: beyond what the pressure explains.
        var many = Records();
        foreach (var r in many.Where(r => r["metric"]?.GetValue<string>() == "kernel_alloc_failures" && r["order"]?.GetValue<int>() == 4)) r["value"] = 1000;
        (_, _, stderr) = RunCli(Write("many.jsonl", many));
        Assert.Contains("more than the 1 % the fills' pressure explains", stderr);
    }

    [Fact]
    public void TheOriginalsJsonDoesNotChange()
    {
        string with = _dir.Of("with.json"), without = _dir.Of("without.json");
        Assert.Equal(0, RunCli(Fixture, "--output-path", with).Code);
        Assert.Equal(0, RunCli(Write("plain.jsonl", Records().Where(r => !IsAccount(r))), "--output-path", without).Code);
        Assert.Equal(File.ReadAllText(without), File.ReadAllText(with));
        Assert.DoesNotContain("vmstat", File.ReadAllText(with));
    }

    /// <summary>Five runs a side made from the one real run: counters and bytes jittered per run, some scaled on the other side.</summary>
    private string Side(string name, int seed, Func<string, double> scale)
    {
        var rng = new Random(seed);
        var all = new List<JsonObject>();
        for (int run = 0; run < 5; run++)
            foreach (var r in Records())
            {
                r["run"] = $"{name}-{run}";
                if (r["value"] is JsonNode v && r["metric"]?.GetValue<string>() is { } m && r["type"]!.GetValue<string>() == "metric")
                {
                    double jitter = 1 + (rng.NextDouble() - 0.5) * 0.02;
                    r["value"] = (long)Math.Round(v.GetValue<long>() * scale(m) * jitter);
                }
                all.Add(r);
            }
        return Write(name + ".jsonl", all);
    }

    [Fact]
    public void CompareJudgesTheAccountApartAndNamesWhatChangedWithAHeadline()
    {
        string a = Side("base", 1, _ => 1);
        // Fewer huge pages at fault and more compaction stalls beside 5 % less antagonized memory.
        string b = Side("nothp", 2, m => m switch
        {
            "antagonized_vmstat_thp_fault_alloc" or "idle_vmstat_thp_fault_alloc" => 0.02,
            "antagonized_vmstat_allocstall_movable" => 1.5,
            "antagonized_available_bytes" => 0.95,
            _ => 1,
        });
        var (code, stdout, stderr) = RunCli("compare", "base=" + a, "nothp=" + b);
        Assert.True(code == 0, stderr);
        string account = stdout[stdout.IndexOf("The kernel's account:", StringComparison.Ordinal)..];
        string headline = stdout[..stdout.IndexOf("The kernel's account:", StringComparison.Ordinal)];
        // The headline verdict says which way is better.
        Assert.Matches(@"antagonized_available_bytes\s+0\s+base[^\n]*\n\s+nothp[^\n]*lower \(worse\)", headline);
        // The 'with it' line names the counters that moved with the headline at its order and phase.
        Assert.Matches(@"nothp: order-4 antagonized_available_bytes -[456]\.\d % \(worse\); with it \(antagonized phase\): [^\n]*allocstall_movable \+[45]\d %[^\n]*thp_fault_alloc -98 %", stdout);
        Assert.Matches(@"antagonized_vmstat_thp_fault_alloc\s+4\s+base[^\n]*\n\s+nothp[^\n]*\blower\b", account);
        Assert.Matches(@"antagonized_vmstat_allocstall_movable\s+4\s+base[^\n]*\n\s+nothp[^\n]*higher \(worse\)", account);
        // Its own false-alarm count: every side's explanatory row counted apart from the headline rows.
        Assert.Matches(@"\d+ explanatory comparison\(s\) tested at α = 0\.05, apart from the headline rows: about [\d.]+ would be called changed by chance alone; \d+ were\.", account);
    }

    [Fact]
    public void HtmlDrawsTheFreeBlocksOfEachOrderAndTheCountersRunValues()
    {
        string html = _dir.Of("r.html");
        Assert.Equal(0, RunCli(Fixture, "--html", html).Code);
        string page = File.ReadAllText(html);
        string account = page[page.IndexOf("<h2>The kernel's account</h2>", StringComparison.Ordinal)..];
        foreach (int order in new[] { 0, 4 })
            Assert.Matches($"free memory by block order at the end of each phase, order {order} \\(mean of runs\\)</h3></figcaption>\n<svg", account);
        // Both phases' lines, in the legend, and a strip plot per headline counter.
        Assert.Contains(">idle<", account);
        Assert.Contains(">antagonized<", account);
        Assert.Contains("<h3>antagonized_vmstat_oom_kill order 4</h3>", account);

        string a = Side("base", 1, _ => 1), b = Side("new", 2, _ => 1);
        Assert.Equal(0, RunCli("compare", "base=" + a, "new=" + b, "--html", html).Code);
        page = File.ReadAllText(html);
        Assert.Contains(">base idle<", page);
        Assert.Contains(">new antagonized<", page);
    }

    /// <summary>
    /// Calibration on real boots (docs/report.md): 4 boots each of Debian 6.1 and of 6.1 with
    /// transparent_hugepage=never, through scripts/compare-kernels; their records without latency samples.
    /// </summary>
    [Fact]
    public void WithoutTransparentHugePagesThpFaultAllocIsLower()
    {
        string dir = RepoPaths.Of("tests", "Pab.Tests", "Report", "fixtures", "account", "thp");
        var (code, stdout, stderr) = RunCli("compare", "base=" + Path.Combine(dir, "base"), "nothp=" + Path.Combine(dir, "nothp"));
        Assert.True(code == 0, stderr);
        string account = stdout[stdout.IndexOf("The kernel's account:", StringComparison.Ordinal)..];
        // The counter never moves without THP: lower in both phases of both orders, the interval excluding no change.
        foreach (string phase in new[] { "idle", "antagonized" })
            foreach (int order in new[] { 0, 4 })
                Assert.Matches($@"{phase}_vmstat_thp_fault_alloc\s+{order}\s+base[^\n]*\n\s+nothp\s+4\s+0\s+0 … 0\s+-[\d,]+ \[-[\d,]+, -[\d,]+\]\s+lower\s", account);
        // Beside the headline verdicts, better or worse, and what changed with them.
        Assert.Matches(@"idle_available_bytes\s+4\s+base[^\n]*\n\s+nothp[^\n]*higher \(better\)", stdout);
        Assert.Contains("nothp: order-4 idle_available_bytes +5.1 % (better); with it (idle phase): ", stdout);
    }

    [Fact]
    public void ExportJsonCarriesTheAccountRowsBetterOrWorseAndWhatChangedWithAHeadline()
    {
        string dir = RepoPaths.Of("tests", "Pab.Tests", "Report", "fixtures", "account", "thp");
        string json = _dir.Of("cmp.json");
        var (code, stdout, stderr) = RunCli("compare", "base=" + Path.Combine(dir, "base"), "nothp=" + Path.Combine(dir, "nothp"), "--export-json", json);
        Assert.True(code == 0, stderr);
        var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        static JsonObject Row(JsonNode rows, string metric, int order) =>
            rows.AsArray().Single(r => r!["metric"]!.GetValue<string>() == metric && r["order"]!.GetValue<int>() == order)!.AsObject();

        // The headline row: which way is better, and the side's judgement in the text's words.
        var idle = Row(root["rows"]!, "idle_available_bytes", 4);
        Assert.Equal("higher", idle["preferred"]!.GetValue<string>());
        var nothp = idle["sides"]![1]!;
        Assert.Equal("higher", nothp["verdict"]!.GetValue<string>());
        Assert.Equal("better", nothp["judgement"]!.GetValue<string>());
        Assert.Null(idle["sides"]![0]!["judgement"]);
        // What changed with it: the idle phase's counters at order 4, as the text's "with it" line names them.
        var withIt = nothp["with_it"]!.AsArray().Select(x => x!["metric"]!.GetValue<string>()).ToList();
        Assert.Contains("idle_vmstat_thp_fault_alloc", withIt);
        Assert.All(withIt, m => Assert.StartsWith("idle_", m));
        string line = stdout.Split('\n').Single(l => l.Contains("nothp: order-4 idle_available_bytes", StringComparison.Ordinal));
        Assert.All(withIt, m => Assert.Contains(m["idle_vmstat_".Length..] + " ", line));

        // The explanatory rows with their own counts, the same as the text's.
        var thp = Row(root["account_rows"]!, "antagonized_vmstat_thp_fault_alloc", 0)["sides"]![1]!;
        Assert.Equal("lower", thp["verdict"]!.GetValue<string>());
        Assert.True(thp["high"]!.GetValue<double>() < 0);
        int tested = root["account_tested"]!.GetValue<int>(), called = root["account_called"]!.GetValue<int>();
        Assert.Contains($"{tested} explanatory comparison(s) tested", stdout);
        Assert.Contains($"; {called} were.", stdout);
        Assert.Equal(called, root["account_rows"]!.AsArray().Count(r => r!["sides"]![1]!["verdict"]!.GetValue<string>() is "higher" or "lower"));
        // A counter with a better direction says it; one with none (pages freed) has no judgement.
        var stall = Row(root["account_rows"]!, "antagonized_vmstat_allocstall_movable", 4);
        Assert.Equal("lower", stall["preferred"]!.GetValue<string>());
        Assert.Null(Row(root["account_rows"]!, "antagonized_vmstat_pgfree", 4)["preferred"]);
    }
}
