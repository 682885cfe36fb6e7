namespace Pab.Antagonize;

/// <summary>
/// pab-antagonize's exit codes, one per way it can fail (3 and 4 mean what they mean for pab-load).
/// When it wraps a COMMAND and nothing failed, it exits with the command's status instead.
/// </summary>
public enum ExitCode
{
    Ok = 0,
    Error = 1,
    Usage = 2,
    NotLoaded = 3,
    NotRoot = 4,
    OrderRejected = 5,
    CpusOffline = 6,
    ModuleCallFailed = 7,
    PinFailed = 8,
    AbiMismatch = 10,
    CommandNotStarted = 127,
}
