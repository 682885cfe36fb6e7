namespace Pab.Common;

/// <summary>Which module answers at /proc/page_alloc_bench.</summary>
public enum ModuleKind
{
    /// <summary>This project's module: the info call, batches, queues, selftest.</summary>
    ThisProject,
    /// <summary>The original benchmark's module: only the single-page alloc and free calls, no info call.</summary>
    Original,
}

/// <summary>What the probe found: the module's kind, or the errno of the call that failed (then Kind means nothing).</summary>
public readonly record struct ProbeResult(ModuleKind Kind, int Errno, string? FailedCall)
{
    public bool Failed => Errno != 0;

    /// <summary>Not even the single-page alloc call is known: a module of another ABI altogether.</summary>
    public bool NoCallKnown => FailedCall == "alloc" && Errno is Native.EINVAL or Native.ENOTTY;
}

/// <summary>
/// Tells this project's module from the original with the two calls both answer, so the original never
/// sees a call it does not know (it logs "Invalid page_alloc_bench ioctl" for each). A block allocated
/// through one open file is freed through a second: this project's module keeps each file's blocks its
/// own and refuses (ENOENT; the first file then frees it), the original keeps one pool for every file and
/// frees it. The id handed over is always one the module just gave out, never a made-up one: the
/// original takes ids as page pointers and does not check them.
/// </summary>
public static class ModuleProbe
{
    public static ProbeResult Identify(string path = Abi.ProcPath)
    {
        using var owner = ModuleClient.Open(path);
        using var other = ModuleClient.Open(path);
        int err = owner.TryAllocPage(0, out PabAllocPage page);
        if (err != 0) return new ProbeResult(ModuleKind.ThisProject, err, "alloc");

        err = other.TryFreePage(page.Id, out _);
        if (err == 0) return new ProbeResult(ModuleKind.Original, 0, null);
        int refused = err;
        err = owner.TryFreePage(page.Id, out _);
        if (refused != Native.ENOENT) return new ProbeResult(ModuleKind.ThisProject, refused, "free");
        return err == 0 ? new ProbeResult(ModuleKind.ThisProject, 0, null) : new ProbeResult(ModuleKind.ThisProject, err, "free");
    }

    /// <summary>True when the info call's errno says the module has no such call (the original answers EINVAL, this project's ENOTTY).</summary>
    public static bool IsUnknownCall(int errno) => errno is Native.EINVAL or Native.ENOTTY;
}
