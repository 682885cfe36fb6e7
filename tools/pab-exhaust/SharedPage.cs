using System.Runtime.InteropServices;

namespace Pab.Exhaust;

/// <summary>Where the child is; written by the child, read by the parent.</summary>
public enum ChildState
{
    Starting = 0,
    /// <summary>Started, workers created and pinned, waiting for <see cref="SharedPage.Go"/>.</summary>
    Ready = 1,
    Filling = 2,
    /// <summary>Stopped at --max-bytes without running out of memory.</summary>
    Capped = 3,
    Failed = 4,
}

/// <summary>Why the child gave up on its own (it should only ever be killed).</summary>
public enum ChildError
{
    None = 0,
    OomScoreAdj = 1,
    MmapRefused = 2,
    Populate = 3,
    SharedPage = 4,
    ParentGone = 5,
    /// <summary>Reading the allowed CPUs or pinning a fill worker failed (ErrorSize: the CPU, -1 for reading).</summary>
    Affinity = 6,
}

/// <summary>
/// The page parent and child share (a memfd the child gets as fd 3). The parent
/// writes the configuration before spawning; the child writes its state and the
/// counter, which survives the child's SIGKILL because the memory is the parent's too.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct SharedPage
{
    public const ulong ExpectedMagic = 0x7061622d65786831; // "pab-exh1"
    public const int ChildFd = 3;

    public ulong Magic;
    // Configuration, from the parent.
    public int ParentPid;
    public int Workers;
    public long ChunkBytes;
    public long MmapBytes;
    /// <summary>0: fill until killed.</summary>
    public long MaxBytes;
    /// <summary>Set to 1 by the parent once it has what it needs from before the fill.</summary>
    public int Go;
    public int ForceTouch;
    public int HugePages;
    private int _pad;

    // From the child.
    public int State;
    public int Error;
    public int ErrorErrno;
    public int UsedTouch;
    public long ErrorSize;
    /// <summary>Bytes the kernel has really given: only whole populated chunks count.</summary>
    public long Filled;
    /// <summary>Bytes handed out to workers (for --max-bytes).</summary>
    public long Claimed;
    public long Mapped;
    /// <summary>Current piece size; halved when the kernel refuses a mapping.</summary>
    public long PieceBytes;
    public long ReadyTicks;
    public long StartTicks;
    public long LastTicks;
    public long BaselineRssBytes;
}
