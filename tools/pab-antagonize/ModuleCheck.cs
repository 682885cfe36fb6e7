using Pab.Common;

namespace Pab.Antagonize;

/// <summary>The module a run drives: this project's, with what its info call said, or the original, which has no info call.</summary>
public sealed record LoadedModule(ModuleKind Kind, ModuleInfo? Info)
{
    public bool IsOriginal => Kind == ModuleKind.Original;
}

/// <summary>
/// Which module is loaded, and whether it can do what was asked. The original answers only the
/// single-page alloc and free calls: a run of workers is driven with those (as --batch 1 is), while
/// what needs this project's other calls (--selftest) is refused as an ABI mismatch.
/// </summary>
public static class ModuleCheck
{
    public const string OriginalName = "the original module (no info call), not this project's";

    public static string Notice(AntagonizeOptions o) =>
        $"the loaded {Abi.ModuleName} is {OriginalName}: driving it with its single-page calls, one block a call"
        + (o.Batch == 1 ? "" : $" (as --batch 1, not --batch {o.Batch})");

    /// <summary>Checks the loaded module, and <paramref name="order"/> (the largest asked for) against the kernel's limit.</summary>
    public static Refusal? Check(string procPath, string procRoot, ModuleClient control, AntagonizeOptions options, int order,
        out LoadedModule module)
    {
        module = new LoadedModule(ModuleKind.ThisProject, null);
        ProbeResult probe;
        try { probe = ModuleProbe.Identify(procPath); }
        catch (ModuleException e)
        {
            return e.Errno == Native.ENOENT ? Preflight.NotLoaded(procPath) : new Refusal(ExitCode.ModuleCallFailed, e.Message);
        }
        if (probe.NoCallKnown)
            return new Refusal(ExitCode.AbiMismatch,
                $"the loaded {Abi.ModuleName} answers none of this tool's calls, not even the original's single-page alloc ({Native.ErrorText(probe.Errno)}): it is neither this project's module nor the original; load this project's with `pab-load remove` and `pab-load insert`");
        if (probe.Failed)
            return new Refusal(ExitCode.ModuleCallFailed,
                $"probing the module ({probe.FailedCall} of one page): {Native.ErrorText(probe.Errno)} (errno {probe.Errno})");

        if (probe.Kind == ModuleKind.Original)
        {
            module = new LoadedModule(ModuleKind.Original, null);
            if (options.SelftestCount != null)
                return new Refusal(ExitCode.AbiMismatch,
                    $"--selftest needs this project's module (its in-kernel loop), but the loaded {Abi.ModuleName} is the original module, which has only the single-page alloc and free calls; load this project's with `pab-load remove` and `pab-load insert`");
            if (options.AnyMode)
                return new Refusal(ExitCode.AbiMismatch,
                    $"{options.ModeFlags} needs this project's module (its queue calls), but the loaded {Abi.ModuleName} is the original module, which has only the single-page alloc and free calls; load this project's with `pab-load remove` and `pab-load insert`");
            // The original passes any order to alloc_pages(), which warns in the kernel log above the highest.
            if (KernelMaxOrder.Read(procRoot) is int max && order > max)
                return new Refusal(ExitCode.OrderRejected, $"--order {order}: the kernel takes orders 0 to {max} (/proc/buddyinfo)");
            return null;
        }

        ModuleInfo info;
        try { info = control.Info(); }
        catch (ModuleException e) when (ModuleProbe.IsUnknownCall(e.Errno))
        {
            return new Refusal(ExitCode.AbiMismatch,
                $"the loaded {Abi.ModuleName} keeps each file's pages as this project's module does but answers no info call of ABI {Abi.AbiVersion} ({Native.ErrorText(e.Errno)}): a build of another ABI; load the matching module with `pab-load remove` and `pab-load insert`");
        }
        catch (ModuleException e)
        {
            return new Refusal(ExitCode.ModuleCallFailed, e.Message);
        }
        module = new LoadedModule(ModuleKind.ThisProject, info);
        return Preflight.CheckInfo(info, order);
    }
}
