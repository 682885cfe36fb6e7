namespace Pab.Common;

/// <summary>
/// The exit codes of every pab tool: one number per meaning, the same in each tool
/// (docs/conventions.md is the table). A tool uses the codes that apply to it.
/// </summary>
public enum ExitCode
{
    Ok = 0,
    /// <summary>The measurement or the work failed (bad input records, an output not written, a child that died another way).</summary>
    Failed = 1,
    /// <summary>Usage error: an unknown option, a bad or missing value. Nothing is written to stdout.</summary>
    Usage = 2,
    NotLoaded = 3,
    NotRoot = 4,
    /// <summary>The running kernel cannot load modules (CONFIG_MODULES off): run in a VM.</summary>
    NoModuleSupport = 5,
    /// <summary>The module file was built for another kernel.</summary>
    WrongKernel = 6,
    OtherBuildLoaded = 7,
    InUse = 8,
    ModuleFileMissing = 9,
    /// <summary>The loaded module speaks another ABI than these tools (or is the original module).</summary>
    AbiMismatch = 10,
    OrderRejected = 11,
    CpusOffline = 12,
    ModuleCallFailed = 13,
    PinFailed = 14,
    /// <summary>pab-exhaust could not set up (shared page, spawning the child).</summary>
    SetupFailed = 15,
    /// <summary>A bug: an exception nothing expected (sysexits' EX_SOFTWARE).</summary>
    InternalError = 70,
    /// <summary>pab-antagonize: the wrapped command could not be started (as a shell says).</summary>
    CommandNotStarted = 127,

    // Older names kept so call sites read as before; they are the same numbers as above.
    Error = Failed,
    ChildFailed = Failed,
}

/// <summary>Short words for each exit code, for --help and the docs.</summary>
public static class ExitCodes
{
    /// <summary>Killed by signal N exits 128 + N, as a shell reports it.</summary>
    public const int SignalBase = 128;

    /// <summary>The status of a run a signal ended: 128 + N.</summary>
    public static int ForSignal(int signal) => SignalBase + signal;

    public static string Describe(ExitCode code) => code switch
    {
        ExitCode.Ok => "ok",
        ExitCode.Failed => "the measurement or work failed",
        ExitCode.Usage => "usage error",
        ExitCode.NotLoaded => "module not loaded",
        ExitCode.NotRoot => "not root",
        ExitCode.NoModuleSupport => "kernel cannot load modules",
        ExitCode.WrongKernel => "module built for another kernel",
        ExitCode.OtherBuildLoaded => "another build loaded",
        ExitCode.InUse => "module in use",
        ExitCode.ModuleFileMissing => "module file missing",
        ExitCode.AbiMismatch => "ABI mismatch",
        ExitCode.OrderRejected => "order rejected",
        ExitCode.CpusOffline => "CPUs offline",
        ExitCode.ModuleCallFailed => "module call failed",
        ExitCode.PinFailed => "pinning a worker failed",
        ExitCode.SetupFailed => "setup failed",
        ExitCode.InternalError => "internal error (a bug: please report)",
        ExitCode.CommandNotStarted => "command not started",
        _ => code.ToString(),
    };

    /// <summary>One line per code for --help, ending with where the full table is.</summary>
    public static string HelpSection(IEnumerable<ExitCode> codes, string? extra = null)
    {
        var lines = codes.Select(c => $"  {(int)c,5}  {Describe(c)}").ToList();
        lines.Add($"  {ExitCodes.SignalBase + "+N",5}  killed by signal N");
        if (extra != null) lines.Add("         " + extra);
        lines.Add("         (the same numbers in every pab tool: docs/conventions.md)");
        return "Exit codes:\n" + string.Join('\n', lines);
    }
}
