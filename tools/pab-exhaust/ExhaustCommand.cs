global using ExitCode = Pab.Common.ExitCode;
using System.CommandLine;
using System.CommandLine.Parsing;
using Pab.Common;
using Pab.Common.Cli;

namespace Pab.Exhaust;

public static class ExhaustCommand
{
    public static readonly Option<int> IterationsOption = new("--iterations")
    {
        Description = "How many times to fill memory until the child is OOM-killed",
        DefaultValueFactory = _ => ExhaustSettings.DefaultIterations,
        CustomParser = r => CliValues.Integer(r, 1, 1_000_000),
    };

    public static readonly Option<string?> LabelOption = new("--label")
    {
        Description = $"Phase the measurement belongs to; the metric is <label>_available_bytes [default: ${RunContext.LabelVariable}, else idle]",
    };

    public static readonly Option<int?> OrderOption = new("--order")
    {
        Description = $"Order the kernel antagonist allocates, recorded with each value [default: ${RunContext.OrderVariable}, else none]",
        CustomParser = r => CliValues.Integer(r, 0, RunContext.MaxOrder),
    };

    public static readonly Option<long> ChunkOption = new("--chunk")
    {
        Description = "Bytes populated at a time by each worker; the count's resolution is this times the CPUs",
        HelpName = "SIZE",
        DefaultValueFactory = _ => ExhaustSettings.DefaultChunk,
        CustomParser = r => CliValues.Size(r),
    };

    public static readonly Option<long> MmapSizeOption = new("--mmap-size")
    {
        Description = "Bytes per mapping; halved while the kernel refuses one (a multiple of --chunk)",
        HelpName = "SIZE",
        DefaultValueFactory = _ => ExhaustSettings.DefaultMmapSize,
        CustomParser = r => CliValues.Size(r),
    };

    public static readonly Option<long?> MaxBytesOption = new("--max-bytes")
    {
        Description = "Stop filling at this many bytes instead of at the OOM kill (the record then says capped)",
        HelpName = "SIZE",
        CustomParser = r => CliValues.Size(r),
    };

    public static readonly Option<bool> SkipIdleOption = new("--skip-idle")
    {
        Description = "Under pab-antagonize --idle-first: measure only each order's antagonized phase (a CPU-count sweep measures idle once, at its first count)",
    };

    public static readonly Option<bool> ProgressOption = new("--progress")
    {
        Description = "Show bytes so far and fill rate on stderr even when it is not a terminal",
    };

    public static readonly Option<bool> TouchOption = new("--touch")
    {
        Description = "Fault pages in by writing to each instead of MADV_POPULATE_WRITE (for comparison)",
    };

    public static readonly Option<bool> HugePagesOption = new("--huge-pages")
    {
        Description = "madvise(MADV_HUGEPAGE) every mapping: fewer, larger faults where THP is enabled; not the original's behaviour, so off by default",
    };

    public static readonly Option<bool> NoKernelAccountOption = new("--no-kernel-account")
    {
        Description = "Do not record the kernel's account (/proc/vmstat deltas and free lists of every phase and fill); for measuring what it costs",
    };

    static ExhaustCommand()
    {
        LabelOption.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } l && ExhaustSettings.CheckLabel(l, "--label") is { } e) r.AddError(e);
        });
    }

    /// <summary>Settings from a parse result without errors, plus the environment; or the error naming the flag or variable.</summary>
    public static (ExhaustSettings? Settings, string? Error) Resolve(ParseResult pr, Func<string, string?> env, long pageSize)
    {
        string label = pr.GetValue(LabelOption) ?? ExhaustSettings.DefaultLabel;
        if (pr.GetValue(LabelOption) == null && env(RunContext.LabelVariable) is { Length: > 0 } envLabel)
        {
            if (ExhaustSettings.CheckLabel(envLabel, RunContext.LabelVariable) is { } e) return (null, e);
            label = envLabel;
        }
        var link = PhaseLink.FromEnvironment(env, out string? linkError);
        if (linkError != null) return (null, linkError);
        if (link != null && pr.GetValue(LabelOption) != null)
            return (null, "--label: not under pab-antagonize --idle-first, which has pab-exhaust measure both phases (idle, then antagonized)");
        if (link != null && pr.GetValue(OrderOption) != null)
            return (null, "--order: not under pab-antagonize --idle-first, which names each order as it sets its workers up for it");
        int? order = pr.GetValue(OrderOption);
        if (order == null && link == null)
        {
            var (o, e) = ExhaustSettings.ParseOrderVariable(env(RunContext.OrderVariable), RunContext.OrderVariable);
            if (e != null) return (null, e);
            order = o;
        }
        if (link == null && pr.GetValue(SkipIdleOption))
            return (null, "--skip-idle: only under pab-antagonize --idle-first, which names the phases (alone, pab-exhaust measures the one --label says)");
        var (cpus, cpusError) = ExhaustSettings.ParseCpusVariable(env(RunContext.AntagonistCpusVariable), RunContext.AntagonistCpusVariable);
        if (cpusError != null) return (null, cpusError);
        long chunk = pr.GetValue(ChunkOption);
        long mmap = pr.GetValue(MmapSizeOption);
        long? max = pr.GetValue(MaxBytesOption);
        if (ExhaustSettings.CheckSizes(chunk, mmap, max, pageSize) is { } sizeError) return (null, sizeError);
        return (new ExhaustSettings
        {
            Iterations = pr.GetValue(IterationsOption),
            Label = label,
            Order = order,
            ChunkBytes = chunk,
            MmapBytes = ExhaustSettings.RoundMmapSize(mmap, chunk),
            MaxBytes = max,
            Progress = pr.GetValue(ProgressOption),
            ForceTouch = pr.GetValue(TouchOption),
            HugePages = pr.GetValue(HugePagesOption),
            KernelAccount = !pr.GetValue(NoKernelAccountOption),
            Link = link,
            AntagonistCpus = cpus,
            SkipIdle = pr.GetValue(SkipIdleOption),
        }, null);
    }

    /// <summary>The exit codes pab-exhaust uses (docs/conventions.md has the whole table).</summary>
    public static readonly ExitCode[] ExitCodes = [ExitCode.Ok, ExitCode.Failed, ExitCode.Usage, ExitCode.SetupFailed, ExitCode.InternalError];

    public static ToolCli Cli(Func<ExhaustSettings, int> run) =>
        new("pab-exhaust", Build(run)) { ExitCodes = ExitCodes, ExitNote = "1 also when the child ended another way than the OOM kill (or --max-bytes)" };

    public static RootCommand Build(Func<ExhaustSettings, int> run, Func<string, string?>? env = null)
    {
        var root = new RootCommand(
            "Measure how much memory userspace can get: a child fills memory on every CPU until the OOM killer ends it, " +
            "counting every chunk the kernel gave. One JSON-lines record per iteration on stdout; progress and errors on stderr.")
        {
            IterationsOption, LabelOption, OrderOption, ChunkOption, MmapSizeOption, MaxBytesOption, ProgressOption, TouchOption, HugePagesOption, SkipIdleOption,
            NoKernelAccountOption,
        };
        root.SetAction(pr =>
        {
            var (settings, error) = Resolve(pr, env ?? Environment.GetEnvironmentVariable, Environment.SystemPageSize);
            if (settings == null)
            {
                return ToolCli.UsageError("pab-exhaust", error!);
            }
            return run(settings);
        });
        return root;
    }
}
