using System.CommandLine;

namespace Pab.Load;

/// <summary>pab-load's exit codes: one per way it can fail, so scripts can tell them apart.</summary>
public enum ExitCode
{
    Ok = 0,
    Error = 1,
    NotLoaded = 3,
    NotRoot = 4,
    NoModuleSupport = 5,
    WrongKernel = 6,
    OtherBuildLoaded = 7,
    InUse = 8,
    ModuleFileMissing = 9,
    AbiMismatch = 10,
}

public static class LoadCommand
{
    private static readonly Option<FileInfo?> KoOption = new("--ko")
    {
        Description = "Module file to insert [default: $PAB_KO, else ../kmod/page_alloc_bench.ko beside this tool]",
    };

    private static readonly Option<bool> ForceOption = new("--force")
    {
        Description = "Remove even while processes hold the module's file open: their pages are freed and their calls fail",
    };

    public static RootCommand Build()
    {
        var insert = new Command("insert", "Load the page_alloc_bench module (nothing to do if this same build is loaded)") { KoOption };
        insert.SetAction(pr => (int)new ModuleLifecycle().Insert(pr.GetValue(KoOption)?.FullName ?? ModuleLifecycle.DefaultKoPath()));

        var remove = new Command("remove", "Unload the module (nothing to do if it is not loaded)") { ForceOption };
        remove.SetAction(pr => (int)new ModuleLifecycle().Remove(pr.GetValue(ForceOption)));

        var status = new Command("status", "Say whether the module is loaded, its versions and the pages it holds (exit 3: not loaded)");
        status.SetAction(_ => (int)new ModuleLifecycle().Status());

        return new RootCommand("Load, unload and inspect the page_alloc_bench kernel module. Records go to stdout as JSON lines, messages to stderr.")
        {
            insert, remove, status,
        };
    }
}
