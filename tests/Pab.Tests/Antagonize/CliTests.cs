using Pab.Antagonize;
using Pab.Common;

namespace Pab.Tests.Antagonize;

/// <summary>The tool's refusals, each with its own exit code and message: as a process, or in process where the host must not matter.</summary>
public class CliTests
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => RunAs(null, args);

    private static (int Code, string Stdout, string Stderr) RunAs(string[]? prefix, string[] args)
    {
        string tool = PublishedTools.Of("pab-antagonize");
        var r = prefix == null
            ? Exec.Run(tool, args, TimeSpan.FromSeconds(60))
            : Exec.Run(prefix[0], [.. prefix.Skip(1), tool, .. args], TimeSpan.FromSeconds(60));
        return (r.Code, r.Stdout, r.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--batch", "0", "--order", "0" }, "--batch 0")]
    [InlineData(new[] { "--batch", "1025", "--order", "0" }, "--batch 1025")]
    [InlineData(new[] { "--order", "-1" }, "--order -1")]
    [InlineData(new[] { "--middle", "0", "--order", "0" }, "--middle 0")]
    [InlineData(new[] { "--samples", "-1", "--order", "0" }, "--samples -1")]
    [InlineData(new[] { "--duration", "soon", "--order", "0" }, "--duration")]
    [InlineData(new[] { "--duration", "5", "--order", "0", "--", "true" }, "not with a COMMAND")]
    [InlineData(new[] { "--latencies", "--no-latencies", "--order", "0" }, "contradict")]
    [InlineData(new[] { "--cpus", "1-", "--order", "0" }, "--cpus")]
    [InlineData(new string[0], "--order")]
    [InlineData(new[] { "--cpu-count", "0", "--order", "0" }, "--cpu-count 0")]
    [InlineData(new[] { "--cpu-count", "two", "--order", "0" }, "--cpu-count 'two'")]
    [InlineData(new[] { "--cpu-count", "2", "--cpus", "0-1", "--order", "0" }, "--cpu-count: not with --cpus")]
    [InlineData(new[] { "--order", "0,4", "--", "true" }, "--order 0,4: a list needs --idle-first")]
    [InlineData(new[] { "--order", "0,4,0", "--idle-first", "--", "true" }, "--order 0,4,0: 0 is given twice")]
    [InlineData(new[] { "--order", "0,,4", "--idle-first", "--", "true" }, "--order '': not a whole number")]
    [InlineData(new[] { "--order", "0,21", "--idle-first", "--", "true" }, "--order 21: out of range (0 to 20)")]
    [InlineData(new[] { "--order", "0", "4", "--idle-first", "--", "true" }, "4")]
    [InlineData(new[] { "--order", "0", "--wait-loaded", "soon" }, "--wait-loaded")]
    public void BadArgumentsNameTheFlagAndExit2(string[] args, string named)
    {
        var (code, _, stderr) = Run(args);
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains(named, stderr);
    }

    [Fact]
    public void OfflineCpusExit6()
    {
        var (code, stdout, stderr) = Run("--order", "0", "--cpus", "0,4000");
        Assert.Equal((int)ExitCode.CpusOffline, code);
        Assert.Contains("CPU 4000 is not online", stderr);
        Assert.Contains("\"event\":\"error\"", stdout);
    }

    [RootFact]
    public void MissingModuleExit3AndSaysHowToLoadIt()
    {
        // In process, with the module's file looked for where it cannot be and a /proc that has
        // module support: on any host, loaded module or not.
        using var dir = new TempDir("pab-antagonize-cli");
        File.WriteAllText(dir.Of("modules"), "");
        var records = new MemoryStream();
        var log = new StringWriter();
        int code = new Antagonist(new AntagonizeOptions([0], null, 1000, 1000, 256, true, 100, null, 1, []),
            new RecordWriter(records, Antagonist.Tool), log) { ProcPath = dir.Of("page_alloc_bench"), ProcRoot = dir.Path }.Run();
        Assert.Equal((int)ExitCode.NotLoaded, code);
        Assert.Contains("pab-load insert", log.ToString());
        Assert.Contains("\"event\":\"error\"", System.Text.Encoding.UTF8.GetString(records.ToArray()));
    }

    [RootFact]
    public void WithoutModuleSupportItSaysToRunInAVmAsPabLoadDoes()
    {
        // The real tool on this host: a kernel without module support (no /proc/modules) cannot
        // take `pab-load insert`; with support, the module is simply not loaded here.
        var (code, stdout, stderr) = Run("--order", "0", "--duration", "1");
        Assert.Equal((int)(File.Exists("/proc/modules") ? ExitCode.NotLoaded : ExitCode.NoModuleSupport), code);
        Assert.DoesNotContain("Unhandled exception", stderr);
        Assert.Contains("\"event\":\"error\"", stdout);
        if (File.Exists("/proc/modules"))
        {
            Assert.Contains("pab-load insert", stderr);
            return;
        }
        Assert.Contains("no loadable module support", stderr);
        Assert.Contains("run it in a VM: scripts/vm-run", stderr);
        Assert.DoesNotContain("pab-load insert", stderr);
    }

    [Fact]
    public void NotRootExit4()
    {
        // As root, drop to nobody for the run; as anyone else, run as is.
        string[]? drop = Pab.Common.Native.geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : null;
        var (code, _, stderr) = RunAs(drop, ["--order", "0"]);
        Assert.Equal((int)ExitCode.NotRoot, code);
        Assert.Contains("must run as root", stderr);
    }
}
