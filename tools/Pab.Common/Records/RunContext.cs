namespace Pab.Common;

/// <summary>Environment variables through which the pipeline and pab-antagonize talk to the tools they start.</summary>
public static class RunContext
{
    /// <summary>Run id shared by every tool of one benchmark run.</summary>
    public const string RunIdVariable = "PAB_RUN_ID";
    /// <summary>Set by pab-antagonize for the command it wraps: the label (antagonized).</summary>
    public const string LabelVariable = "PAB_LABEL";
    /// <summary>Set by pab-antagonize for the command it wraps: the order it allocates.</summary>
    public const string OrderVariable = "PAB_ORDER";
    /// <summary>Set by pab-antagonize --cpu-count for the command it wraps: its CPU count, which the command's antagonized records carry.</summary>
    public const string AntagonistCpusVariable = "PAB_ANTAGONIST_CPUS";

    /// <summary>The largest order a tool takes (on its command line or in PAB_ORDER); the module says which of them the kernel takes.</summary>
    public const int MaxOrder = 20;

    public static string RunId { get; } =
        Environment.GetEnvironmentVariable(RunIdVariable) is { Length: > 0 } id ? id : NewRunId();

    /// <summary>
    /// A run id of our own: UTC time and process id. scripts/page-alloc-bench makes the same for the
    /// tools it runs (a shell cannot call this); PageAllocBenchTests holds the two to one form.
    /// </summary>
    public static string NewRunId() => $"{DateTime.UtcNow:yyyyMMddTHHmmssZ}-{Environment.ProcessId}";
}
