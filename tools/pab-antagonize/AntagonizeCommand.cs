using System.CommandLine;
using System.Globalization;
using Pab.Common;
using Pab.Common.Cli;

namespace Pab.Antagonize;

public static class AntagonizeCommand
{
    private const int MaxBlocks = 1 << 24;

    private static readonly Option<int[]> OrderOption = new("--order")
    {
        Description = "Order of every allocation: blocks of 2^N pages; with --idle-first a list (0,4): both phases of each order in turn, one process for all",
        Required = true, Arity = ArgumentArity.ExactlyOne,
        CustomParser = r => CliValues.IntegerList(r, 0, RunContext.MaxOrder),
    };
    private static readonly Option<string?> CpusOption = new("--cpus")
    {
        Description = "CPUs to run a worker on, in the kernel's list format (0-3,8,10-11) [default: all online CPUs]",
        // The syntax is a usage error before any record is written; whether those CPUs are online is Preflight's.
        Validators =
        {
            r =>
            {
                if (r.GetValueOrDefault<string?>() is not { } list) return;
                if (!CpuList.TryParse(list, out int[] cpus, out string? error)) r.AddError($"--cpus {list}: {error}");
                else if (cpus.Length == 0) r.AddError("--cpus: the list is empty");
            },
        },
    };
    private static readonly Option<int> CpuCountOption = new("--cpu-count")
    {
        Description = "Run a worker on each of the first N online CPUs, and mark every record (and the command's antagonized ones) " +
            "with antagonist_cpus N: one point of a CPU-count sweep (scripts/page-alloc-bench --antagonist-cpus)",
        CustomParser = r => CliValues.Integer(r, 1, CpuList.MaxCpu + 1),
    };
    private static readonly Option<int> MiddleOption = new("--middle")
    {
        Description = "Blocks each worker holds on average: targets are drawn from middle ± spread " +
            $"[default: from the machine, per order: all workers together hold at most a third of its memory at their peak, at most {HoldDefaults.MaxMiddle} blocks]",
        CustomParser = r => CliValues.Integer(r, 1, MaxBlocks),
    };
    private static readonly Option<int> SpreadOption = new("--spread")
    {
        Description = "How far targets range either side of the middle, in blocks [default: as --middle's default]",
        CustomParser = r => CliValues.Integer(r, 0, MaxBlocks),
    };
    private static readonly Option<int> BatchOption = new("--batch")
    {
        Description = $"Blocks per module call (1 to {Abi.BatchMax}; 1 uses the original's single-page calls)", DefaultValueFactory = _ => 256,
        CustomParser = r => CliValues.Integer(r, 1, Abi.BatchMax),
    };
    private static readonly Option<string> GfpOption = new("--gfp")
    {
        Description = "GFP flags of every allocation: kernel (GFP_KERNEL: may reclaim and compact, as the original), " +
            "atomic (GFP_ATOMIC: never sleeps, may use the reserve below the min watermark), " +
            "noretry (GFP_KERNEL|__GFP_NORETRY: one light reclaim and compaction attempt, then fail); all with __GFP_NOWARN",
        DefaultValueFactory = _ => "kernel",
        HelpName = "kernel|atomic|noretry",
    };
    private static readonly Option<int> BulkOption = new("--bulk")
    {
        Description = $"Allocate through alloc_pages_bulk(), N pages a call (1 to {Abi.BulkMax}; order 0 only; at most --batch); " +
            "latencies per page are a call's time over its pages, and whole calls' latencies are recorded too [default: alloc_pages() per block]",
        HelpName = "N",
        CustomParser = r => CliValues.Integer(r, 1, Abi.BulkMax),
    };
    private static readonly Option<string> FreeOnOption = new("--free-on")
    {
        Description = "Which CPU frees a block: same (the one that allocated it), or other (the next worker's CPU in --cpus order, " +
            "the last's the first's: a fixed pairing, at least 2 CPUs)",
        DefaultValueFactory = _ => "same",
        HelpName = "same|other",
    };
    private static readonly Option<bool> LatenciesOption = new("--latencies")
    {
        Description = "Record alloc and free latencies (sample and exact percentiles) [default]",
    };
    private static readonly Option<bool> NoLatenciesOption = new("--no-latencies")
    {
        Description = "Do not record latencies",
    };
    private static readonly Option<int> SamplesOption = new("--samples")
    {
        Description = "Latencies kept per kind in the uniform sample, one sample for all CPUs", DefaultValueFactory = _ => 100_000,
        CustomParser = r => CliValues.Integer(r, 0, int.MaxValue),
    };
    private static readonly Option<string?> DurationOption = new("--duration")
    {
        Description = "Without a COMMAND: run this long after steady state (30, 30s, 500ms, 2m) [default: until SIGINT/SIGTERM]",
    };
    private static readonly Option<string?> WaitLoadedOption = new("--wait-loaded")
    {
        Description = "Wait up to this long (30, 30s, 500ms) for the module to be loaded before the checks, for a pipeline that loads it " +
            "meanwhile (page-alloc-bench does, so the starts overlap) [default: not at all]",
        HelpName = "DURATION",
    };
    private static readonly Option<ulong> SeedOption = new("--seed")
    {
        Description = "Seed of the workers' patterns (each CPU derives its own; the same seed gives the same patterns)",
        DefaultValueFactory = _ => 0x5EED,
        CustomParser = r => CliValues.Integer(r, 0UL, ulong.MaxValue),
    };
    private static readonly Option<bool> NoHoldLimitOption = new("--no-hold-limit")
    {
        Description = "Let the workers together hold more than half of MemTotal (to drive allocation failures on purpose; the machine may hang)",
    };
    private static readonly Option<int> NiceOption = new("--nice")
    {
        Description = "Niceness of the workers (0 to 19): at the default a fill sharing a CPU with a worker gets about three quarters of it, " +
            "so the antagonized fills are not slowed by CPU starvation; 0 competes as an equal, as the original's antagonist did",
        DefaultValueFactory = _ => AntagonizeOptions.DefaultNice,
        CustomParser = r => CliValues.Integer(r, 0, 19),
    };
    private static readonly Option<bool> IdleFirstOption = new("--idle-first")
    {
        Description = "Set the workers up but keep them parked (no module calls) while COMMAND measures idle; release them when it asks " +
            "over the pipes in $PAB_PHASE_FDS (pab-exhaust does, then labels its records idle, then antagonized). " +
            "Our own processes then hold the same memory in both phases, so it cancels out of their difference",
    };
    private static readonly Option<string?> OrderFileOption = new("--order-file")
    {
        Description = "Write the order being measured to FILE (a number and a newline) as each order begins, emptying it first: " +
            "after a failure it names the order that failed (empty: none had begun), for a script to read without parsing records",
        HelpName = "FILE",
    };
    private static readonly Option<int> BallastOption = new("--test-ballast-mib")
    {
        Description = "Test only: hold this many MiB of our own heap throughout (checks that our footprint stays out of the measurement)",
        Hidden = true,
        CustomParser = r => CliValues.Integer(r, 0, 1024),
    };
    private static readonly Option<long?> SelftestOption = new("--selftest")
    {
        Description = "Instead: run the module's in-kernel loop for COUNT allocations on every CPU at once, in the workers' bursts (allocate --middle blocks, at most 1024, free them oldest first), and report its rate",
        HelpName = "COUNT",
        CustomParser = r => CliValues.Integer(r, 1L, (long)Abi.SelftestMax),
    };
    private static readonly Option<int?> ProbeOrderOption = new("--probe-order")
    {
        Description = "At the end of each phase (idle and antagonized, per order) try to get --probe-count blocks of order N from the kernel, " +
            "without compaction and then with it, and record how many it handed out and how long each try took; every block is freed at once " +
            "[N default: the machine's pageblock order, from /proc/pagetypeinfo, else the huge page size, else 9]",
        HelpName = "N",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = r => r.Tokens.Count == 0 ? null : CliValues.Integer(r, 0, RunContext.MaxOrder),
    };
    private static readonly Option<int> ProbeCountOption = new("--probe-count")
    {
        Description = $"Blocks each probe tries to get [default: as many as make a quarter of MemTotal, at most {Abi.ProbeMax}]",
        HelpName = "K",
        CustomParser = r => CliValues.Integer(r, 1, (int)Abi.ProbeMax),
    };
    private static readonly Option<bool> ProbeAtRestOption = new("--probe-at-rest")
    {
        Description = "Also probe once the antagonist has freed everything, as each order ends (records labelled rest)",
    };
    private static readonly Argument<string[]> CommandArgument = new("command")
    {
        Description = "Command to run antagonized, after -- (pab-antagonize --order 0 -- CMD ARGS); the antagonist stops when it ends and exits with its status",
        HelpName = "COMMAND",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Keep the kernel allocating and freeing pages on every CPU (one pinned worker each) while a command runs: " +
            "pab-antagonize --order N [options] -- COMMAND [ARGS...], or --order N,M,... --idle-first -- COMMAND. " +
            "Records go to stdout as JSON lines (a `steady` event first), messages to stderr.")
        {
            OrderOption, CpusOption, CpuCountOption, MiddleOption, SpreadOption, BatchOption, LatenciesOption, NoLatenciesOption,
            SamplesOption, GfpOption, BulkOption, FreeOnOption, DurationOption, WaitLoadedOption, SeedOption, NoHoldLimitOption, NiceOption, IdleFirstOption, OrderFileOption, BallastOption, SelftestOption,
            ProbeOrderOption, ProbeCountOption, ProbeAtRestOption, CommandArgument,
        };
        root.SetAction(pr =>
        {
            if (Validate(pr, out AntagonizeOptions? options) is string error)
            {
                return ToolCli.UsageError(Antagonist.Tool, error);
            }
            return new Antagonist(options!, new RecordWriter(Console.OpenStandardOutput(), Antagonist.Tool) { AntagonistCpus = options!.CpuCount }, Console.Error).Run();
        });
        return root;
    }

    /// <summary>The exit codes pab-antagonize uses (docs/conventions.md has the whole table).</summary>
    public static readonly ExitCode[] ExitCodes =
    [
        ExitCode.Ok, ExitCode.Failed, ExitCode.Usage, ExitCode.NotLoaded, ExitCode.NotRoot, ExitCode.NoModuleSupport,
        ExitCode.AbiMismatch, ExitCode.OrderRejected, ExitCode.CpusOffline, ExitCode.ModuleCallFailed, ExitCode.PinFailed,
        ExitCode.InternalError, ExitCode.CommandNotStarted,
    ];

    public static int Run(string[] args) =>
        new ToolCli(Antagonist.Tool, Build()) { ExitCodes = ExitCodes, AfterDoubleDash = CommandArgument, ExitNote = "with a COMMAND that ran: the command's own status" }.Run(args);

    /// <summary>Checks option values together; returns the message naming the bad flag, or null.</summary>
    public static string? Validate(ParseResult pr, out AntagonizeOptions? options)
    {
        options = null;
        int[] orders = pr.GetValue(OrderOption) ?? [];
        bool deriveMiddle = pr.GetResult(MiddleOption) == null, deriveSpread = pr.GetResult(SpreadOption) == null;
        int middle = deriveMiddle ? HoldDefaults.MaxMiddle : pr.GetValue(MiddleOption);
        int spread = deriveSpread ? HoldDefaults.MaxMiddle : pr.GetValue(SpreadOption);
        int batch = pr.GetValue(BatchOption), samples = pr.GetValue(SamplesOption);
        string[] command = pr.GetValue(CommandArgument) ?? [];
        if ((long)middle + spread > MaxBlocks) return $"--middle + --spread ({(long)middle + spread}) is more than {MaxBlocks} blocks per CPU";
        if (pr.GetValue(LatenciesOption) && pr.GetValue(NoLatenciesOption)) return "--latencies and --no-latencies contradict each other";
        TimeSpan? duration = null;
        if (pr.GetValue(DurationOption) is string d)
        {
            if (!DurationText.TryParse(d, out TimeSpan span, out string? error)) return $"--duration: {error}";
            if (command.Length > 0) return "--duration: not with a COMMAND (the command's end stops the antagonist)";
            duration = span;
        }
        TimeSpan waitLoaded = TimeSpan.Zero;
        if (pr.GetValue(WaitLoadedOption) is string wait && !DurationText.TryParse(wait, out waitLoaded, out string? waitError))
            return $"--wait-loaded: {waitError}";
        bool idleFirst = pr.GetValue(IdleFirstOption);
        if (idleFirst && command.Length == 0) return "--idle-first: needs a COMMAND to run in both phases";
        if (orders.Length > 1 && !idleFirst) return $"--order {string.Join(',', orders)}: a list needs --idle-first (one command measures each order in turn)";
        int? cpuCount = pr.GetResult(CpuCountOption) != null ? pr.GetValue(CpuCountOption) : null;
        if (cpuCount != null && pr.GetValue(CpusOption) != null) return "--cpu-count: not with --cpus (it takes the first N online CPUs)";
        string gfpText = pr.GetValue(GfpOption) ?? "kernel", freeOnText = pr.GetValue(FreeOnOption) ?? "same";
        int gfp = Array.IndexOf(AllocModes.GfpNames, gfpText), freeOn = Array.IndexOf(AllocModes.FreeOnNames, freeOnText);
        if (gfp < 0) return $"--gfp '{gfpText}': not one of {string.Join(", ", AllocModes.GfpNames)}";
        if (freeOn < 0) return $"--free-on '{freeOnText}': not one of {string.Join(", ", AllocModes.FreeOnNames)}";
        int bulk = pr.GetResult(BulkOption) == null ? 0 : pr.GetValue(BulkOption);
        if (bulk > 0 && orders.FirstOrDefault(o => o != 0) is int big && big != 0)
            return $"--bulk: alloc_pages_bulk() allocates order-0 pages only, and --order {string.Join(',', orders)} asks for order {big}";
        if (bulk > batch) return $"--bulk {bulk}: more than --batch {batch}, the blocks of one module call; raise --batch or lower --bulk";
        bool anyMode = gfp != 0 || bulk > 0 || freeOn != 0;
        if (anyMode && pr.GetValue(SelftestOption) != null)
            return "--selftest: not with --gfp, --bulk or --free-on (the in-kernel loop allocates with GFP_KERNEL and frees where it allocated)";
        if (anyMode && batch == 1)
            return "--batch 1 drives the original's single-page calls, which have no GFP mode, bulk or cross-CPU free; not with --gfp, --bulk or --free-on";
        int ballast = pr.GetValue(BallastOption);
        long? selftest = pr.GetValue(SelftestOption);
        if (selftest != null && command.Length > 0) return "--selftest: not with a COMMAND";
        bool probe = pr.GetResult(ProbeOrderOption) != null;
        if (!probe && pr.GetResult(ProbeCountOption) != null) return "--probe-count: needs --probe-order (the probe is off without it)";
        if (!probe && pr.GetValue(ProbeAtRestOption)) return "--probe-at-rest: needs --probe-order (the probe is off without it)";
        if (probe && selftest != null) return "--probe-order: not with --selftest";
        options = new AntagonizeOptions(orders, pr.GetValue(CpusOption), middle, spread, batch,
            !pr.GetValue(NoLatenciesOption), samples, duration, pr.GetValue(SeedOption), command, selftest,
            pr.GetValue(NoHoldLimitOption), idleFirst, (long)ballast << 20, pr.GetValue(NiceOption)) {
            CpuCount = cpuCount, WaitLoaded = waitLoaded, OrderFile = pr.GetValue(OrderFileOption), DeriveMiddle = deriveMiddle, DeriveSpread = deriveSpread,
            Probe = probe ? new ProbeSettings(pr.GetValue(ProbeOrderOption),
                pr.GetResult(ProbeCountOption) != null ? pr.GetValue(ProbeCountOption) : null, pr.GetValue(ProbeAtRestOption)) : null,
            Gfp = (uint)gfp, Bulk = bulk, FreeOn = (FreeOn)freeOn,
        };
        return null;
    }
}
