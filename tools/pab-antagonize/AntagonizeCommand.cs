using System.CommandLine;
using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

public static class AntagonizeCommand
{
    private static readonly Option<int> OrderOption = new("--order")
    {
        Description = "Order of every allocation: blocks of 2^N pages", Required = true,
    };
    private static readonly Option<string?> CpusOption = new("--cpus")
    {
        Description = "CPUs to run a worker on, in the kernel's list format (0-3,8,10-11) [default: all online CPUs]",
    };
    private static readonly Option<int> MiddleOption = new("--middle")
    {
        Description = "Blocks each worker holds on average: targets are drawn from middle ± spread", DefaultValueFactory = _ => 1000,
    };
    private static readonly Option<int> SpreadOption = new("--spread")
    {
        Description = "How far targets range either side of the middle, in blocks", DefaultValueFactory = _ => 1000,
    };
    private static readonly Option<int> BatchOption = new("--batch")
    {
        Description = $"Blocks per module call (1 to {Abi.BatchMax}; 1 uses the original's single-page calls)", DefaultValueFactory = _ => 256,
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
        Description = "Latencies kept per CPU and kind in the uniform sample", DefaultValueFactory = _ => 50_000,
    };
    private static readonly Option<string?> DurationOption = new("--duration")
    {
        Description = "Without a COMMAND: run this long after steady state (30, 30s, 500ms, 2m) [default: until SIGINT/SIGTERM]",
    };
    private static readonly Option<ulong> SeedOption = new("--seed")
    {
        Description = "Seed of the workers' patterns (each CPU derives its own; the same seed gives the same patterns)",
        DefaultValueFactory = _ => 0x5EED,
    };
    private static readonly Option<bool> NoHoldLimitOption = new("--no-hold-limit")
    {
        Description = "Let the workers together hold more than half of MemTotal (to drive allocation failures on purpose; the machine may hang)",
    };
    private static readonly Option<bool> IdleFirstOption = new("--idle-first")
    {
        Description = "Run COMMAND twice: first with the workers started but parked (no module calls; PAB_LABEL=idle), then antagonized. " +
            "Our own processes then hold the same memory in both phases, so it cancels out of their difference",
    };
    private static readonly Option<int> BallastOption = new("--test-ballast-mib")
    {
        Description = "Test only: hold this many MiB of our own heap throughout (checks that our footprint stays out of the measurement)",
        Hidden = true,
    };
    private static readonly Option<long?> SelftestOption = new("--selftest")
    {
        Description = "Instead: run the module's in-kernel loop for COUNT allocations on every CPU at once, in the workers' bursts (allocate --middle blocks, at most 1024, free them oldest first), and report its rate",
        HelpName = "COUNT",
    };
    private static readonly Argument<string[]> CommandArgument = new("command")
    {
        Description = "Command to run antagonized (after --); the antagonist stops when it ends and exits with its status",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Keep the kernel allocating and freeing pages on every CPU (one pinned worker each) while a command runs. " +
            "Records go to stdout as JSON lines (a `steady` event first), messages to stderr. " +
            "Exit codes: 2 usage, 3 module not loaded, 4 not root, 5 order rejected, 6 CPUs offline, 7 module call failed, " +
            "8 pinning failed, 10 ABI mismatch, 127 command not started; else the command's status.")
        {
            OrderOption, CpusOption, MiddleOption, SpreadOption, BatchOption, LatenciesOption, NoLatenciesOption,
            SamplesOption, DurationOption, SeedOption, NoHoldLimitOption, IdleFirstOption, BallastOption, SelftestOption, CommandArgument,
        };
        root.SetAction(pr =>
        {
            if (Validate(pr, out AntagonizeOptions? options) is string error)
            {
                Console.Error.WriteLine($"{Antagonist.Tool}: {error}");
                return (int)ExitCode.Usage;
            }
            return new Antagonist(options!, RecordWriter.Stdout(Antagonist.Tool), Console.Error).Run();
        });
        return root;
    }

    public static int Run(string[] args)
    {
        var parsed = Build().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"{Antagonist.Tool}: {e.Message}");
            Console.Error.WriteLine($"{Antagonist.Tool}: see --help");
            return (int)ExitCode.Usage;
        }
        return parsed.Invoke();
    }

    /// <summary>Checks option values together; returns the message naming the bad flag, or null.</summary>
    public static string? Validate(ParseResult pr, out AntagonizeOptions? options)
    {
        options = null;
        int order = pr.GetValue(OrderOption), middle = pr.GetValue(MiddleOption), spread = pr.GetValue(SpreadOption);
        int batch = pr.GetValue(BatchOption), samples = pr.GetValue(SamplesOption);
        string[] command = pr.GetValue(CommandArgument) ?? [];
        if (order < 0) return $"--order {order}: must be 0 or more";
        if (middle < 1) return $"--middle {middle}: must be at least 1";
        if (spread < 0) return $"--spread {spread}: must be 0 or more";
        if ((long)middle + spread > 1 << 24) return $"--middle + --spread ({(long)middle + spread}) is more than {1 << 24} blocks per CPU";
        if (batch < 1 || batch > Abi.BatchMax) return $"--batch {batch}: must be 1 to {Abi.BatchMax}";
        if (samples < 0) return $"--samples {samples}: must be 0 or more";
        if (pr.GetValue(LatenciesOption) && pr.GetValue(NoLatenciesOption)) return "--latencies and --no-latencies contradict each other";
        TimeSpan? duration = null;
        if (pr.GetValue(DurationOption) is string d)
        {
            if (!DurationText.TryParse(d, out TimeSpan span, out string? error)) return $"--duration: {error}";
            if (command.Length > 0) return "--duration: not with a COMMAND (the command's end stops the antagonist)";
            duration = span;
        }
        bool idleFirst = pr.GetValue(IdleFirstOption);
        if (idleFirst && command.Length == 0) return "--idle-first: needs a COMMAND to run in both phases";
        int ballast = pr.GetValue(BallastOption);
        if (ballast is < 0 or > 1024) return $"--test-ballast-mib {ballast}: must be 0 to 1024";
        long? selftest = pr.GetValue(SelftestOption);
        if (selftest is long n)
        {
            if (n < 1 || (ulong)n > Abi.SelftestMax) return $"--selftest {n}: must be 1 to {Abi.SelftestMax.ToString(CultureInfo.InvariantCulture)}";
            if (command.Length > 0) return "--selftest: not with a COMMAND";
        }
        options = new AntagonizeOptions(order, pr.GetValue(CpusOption), middle, spread, batch,
            !pr.GetValue(NoLatenciesOption), samples, duration, pr.GetValue(SeedOption), command, selftest,
            pr.GetValue(NoHoldLimitOption), idleFirst, (long)ballast << 20);
        return null;
    }
}
