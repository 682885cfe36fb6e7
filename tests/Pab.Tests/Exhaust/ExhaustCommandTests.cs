using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;
using Pab.Common;
using Pab.Exhaust;

namespace Pab.Tests.Exhaust;

public class ExhaustCommandTests
{
    private const long Page = 4096;

    private static (ExhaustSettings? Settings, string? Error, IReadOnlyList<string> ParseErrors) Parse(
        string[] args, Dictionary<string, string>? env = null)
    {
        ExhaustSettings? captured = null;
        var root = ExhaustCommand.Build(s => { captured = s; return 0; });
        var pr = root.Parse(args);
        if (pr.Errors.Count > 0) return (null, null, pr.Errors.Select(e => e.Message).ToList());
        var (settings, error) = ExhaustCommand.Resolve(pr, k => env != null && env.TryGetValue(k, out var v) ? v : null, Page);
        return (settings, error, []);
    }

    [Fact]
    public void UnderIdleFirstTheLinkDecidesTheLabelsAndOrdersSoLabelAndOrderAreRefused()
    {
        using var toCommand = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out, System.IO.HandleInheritability.Inheritable);
        using var fromCommand = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In, System.IO.HandleInheritability.Inheritable);
        var env = new Dictionary<string, string> { [PhaseLink.Variable] = $"{toCommand.GetClientHandleAsString()},{fromCommand.GetClientHandleAsString()}" };
        var (s, error, _) = Parse([], env);
        Assert.Null(error);
        Assert.NotNull(s!.Link);
        (_, error, _) = Parse(["--label", "idle"], env);
        Assert.StartsWith("--label: not under pab-antagonize --idle-first", error);
        (_, error, _) = Parse(["--order", "4"], env);
        Assert.StartsWith("--order: not under pab-antagonize --idle-first", error);
        (s, error, _) = Parse(["--skip-idle"], env);
        Assert.Null(error);
        Assert.True(s!.SkipIdle);
        // The antagonist's PAB_ORDER names its first order only: the link names each.
        env[RunContext.OrderVariable] = "0";
        (s, error, _) = Parse([], env);
        Assert.Null(error);
        Assert.Null(s!.Order);
    }

    [Fact]
    public void TheKernelsAccountIsOnUnlessNoKernelAccountIsGiven()
    {
        var (on, error, parse) = Parse([]);
        Assert.Empty(parse);
        Assert.Null(error);
        Assert.True(on!.KernelAccount);
        Assert.Equal("true", ExhaustMeta.Of(on, HostInfo.Collect()).Options!["kernel_account"]);
        var (off, _, _) = Parse(["--no-kernel-account"]);
        Assert.False(off!.KernelAccount);
        Assert.Equal("false", ExhaustMeta.Of(off, HostInfo.Collect()).Options!["kernel_account"]);
    }

    [Fact]
    public void DefaultsAreFiveIdleIterationsWithoutOrder()
    {
        var (s, error, parse) = Parse([]);
        Assert.Empty(parse);
        Assert.Null(error);
        Assert.Equal(5, s!.Iterations);
        Assert.Equal("idle", s.Label);
        Assert.Null(s.Order);
        Assert.Equal(256L << 10, s.ChunkBytes);
        Assert.Equal(64L << 20, s.MmapBytes);
        Assert.Null(s.MaxBytes);
        Assert.Equal("idle_available_bytes", s.Metric);
        Assert.Equal(Environment.ProcessorCount, s.Workers);
    }

    [Fact]
    public void LabelAndOrderComeFromWhatPabAntagonizeSets()
    {
        var env = new Dictionary<string, string> { [RunContext.LabelVariable] = "antagonized", [RunContext.OrderVariable] = "3" };
        var (s, error, _) = Parse([], env);
        Assert.Null(error);
        Assert.Equal("antagonized", s!.Label);
        Assert.Equal(3, s.Order);
        Assert.Equal("antagonized_available_bytes", s.Metric);
    }

    [Fact]
    public void FlagsWinOverTheEnvironment()
    {
        var env = new Dictionary<string, string> { [RunContext.LabelVariable] = "antagonized", [RunContext.OrderVariable] = "3" };
        var (s, _, _) = Parse(["--label", "idle", "--order", "0"], env);
        Assert.Equal("idle", s!.Label);
        Assert.Equal(0, s.Order);
    }

    [Fact]
    public void SizesTakeUnitsAndMappingsAreWholeChunks()
    {
        var (s, error, parse) = Parse(["--chunk", "64K", "--mmap-size", "1000K", "--max-bytes", "1.5G", "--iterations", "3"]);
        Assert.Empty(parse);
        Assert.Null(error);
        Assert.Equal(64L << 10, s!.ChunkBytes);
        Assert.Equal(960L << 10, s.MmapBytes); // 1000K rounded down to 15 chunks
        Assert.Equal(3L << 29, s.MaxBytes);
        Assert.Equal(3, s.Iterations);
        Assert.Equal((64L << 10) * Environment.ProcessorCount, s.ResolutionBytes);
    }

    [Theory]
    [InlineData(new[] { "--iterations", "0" }, "--iterations")]
    [InlineData(new[] { "--iterations", "x" }, "--iterations")]
    [InlineData(new[] { "--chunk", "12Q" }, "--chunk")]
    [InlineData(new[] { "--chunk", "0" }, "--chunk")]
    [InlineData(new[] { "--mmap-size", "lots" }, "--mmap-size")]
    [InlineData(new[] { "--max-bytes", "-5" }, "--max-bytes")]
    [InlineData(new[] { "--label", "Bad Label" }, "--label")]
    [InlineData(new[] { "--order", "-1" }, "--order")]
    [InlineData(new[] { "--order", "99" }, "--order")]
    public void ParseErrorsNameTheFlag(string[] args, string flag)
    {
        var (_, _, parse) = Parse(args);
        Assert.NotEmpty(parse);
        Assert.Contains(parse, m => m.Contains(flag, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--chunk", "1000" }, "--chunk")]          // not a page multiple
    [InlineData(new[] { "--chunk", "4M", "--mmap-size", "2M" }, "--mmap-size")]
    [InlineData(new[] { "--max-bytes", "100" }, "--max-bytes")]
    public void SizeCombinationsAreCheckedWithTheFlagNamed(string[] args, string flag)
    {
        var (s, error, parse) = Parse(args);
        Assert.Empty(parse);
        Assert.Null(s);
        Assert.StartsWith(flag + ":", error);
    }

    [Theory]
    [InlineData(RunContext.OrderVariable, "three")]
    [InlineData(RunContext.OrderVariable, "-2")]
    [InlineData(RunContext.LabelVariable, "Not-A-Label")]
    [InlineData(RunContext.AntagonistCpusVariable, "0")]
    [InlineData(RunContext.AntagonistCpusVariable, "two")]
    public void BadEnvironmentNamesTheVariable(string variable, string value)
    {
        var (s, error, _) = Parse([], new Dictionary<string, string> { [variable] = value });
        Assert.Null(s);
        Assert.StartsWith(variable + ":", error);
    }

    [Fact]
    public void ASweepsCountComesFromTheAntagonistAndSkipIdleOnlyUnderTheLink()
    {
        var (s, error, _) = Parse([], new Dictionary<string, string> { [RunContext.AntagonistCpusVariable] = "4" });
        Assert.Null(error);
        Assert.Equal(4, s!.AntagonistCpus);
        (s, error, _) = Parse(["--skip-idle"]);
        Assert.Null(s);
        Assert.StartsWith("--skip-idle: only under pab-antagonize --idle-first", error);
    }

    [Fact]
    public void InvokingWithABadFlagExitsNonZeroWithoutRunning()
    {
        bool ran = false;
        var root = ExhaustCommand.Build(_ => { ran = true; return 0; });
        var config = new InvocationConfiguration { Error = new StringWriter(), Output = new StringWriter() };
        int code = root.Parse(["--chunk", "banana"]).Invoke(config);
        Assert.NotEqual(0, code);
        Assert.False(ran);
        Assert.Contains("--chunk", config.Error.ToString());
    }

    [Fact]
    public void EveryOptionIsAStaticFieldAndOnTheCommand()
    {
        string[] expected = ["--chunk", "--huge-pages", "--iterations", "--label", "--max-bytes", "--mmap-size", "--no-kernel-account", "--order", "--progress", "--skip-idle", "--touch"];
        var fields = typeof(ExhaustCommand).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => typeof(Option).IsAssignableFrom(f.FieldType))
            .Select(f => ((Option)f.GetValue(null)!).Name).Order(StringComparer.Ordinal);
        Assert.Equal(expected, fields);
        var onCommand = ExhaustCommand.Build(_ => 0).Options
            .Where(o => o is not HelpOption and not VersionOption).Select(o => o.Name).Order(StringComparer.Ordinal);
        Assert.Equal(expected, onCommand);
    }
}
