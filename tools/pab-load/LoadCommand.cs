global using ExitCode = Pab.Common.ExitCode;
using System.CommandLine;
using Pab.Common;
using Pab.Common.Cli;

namespace Pab.Load;

public static class LoadCommand
{
    private static readonly Option<string?> KoOption = new("--ko")
    {
        Description = "Module file to insert [default: $PAB_KO, else ../kmod/page_alloc_bench.ko beside this tool]",
        HelpName = "FILE",
        Validators = { r => { if (CliValues.NotDirectory("--ko", r.GetValueOrDefault<string?>()) is { } e) r.AddError(e); } },
    };

    private static readonly Option<bool> ForceOption = new("--force")
    {
        Description = "Remove even while processes hold the module's file open: their pages are freed and their calls fail",
    };

    public static RootCommand Build()
    {
        var insert = new Command("insert", "Load the page_alloc_bench module (nothing to do if this same build is loaded)") { KoOption };
        insert.SetAction(pr => (int)new ModuleLifecycle().Insert((pr.GetValue(KoOption) is { } ko ? Path.GetFullPath(ko) : null) ?? ModuleLifecycle.DefaultKoPath()));

        var remove = new Command("remove", "Unload the module (nothing to do if it is not loaded)") { ForceOption };
        remove.SetAction(pr => (int)new ModuleLifecycle().Remove(pr.GetValue(ForceOption)));

        var status = new Command("status", "Say whether the module is loaded, its versions and the pages it holds (exit 3 when it is not loaded)");
        status.SetAction(_ => (int)new ModuleLifecycle().Status());

        return new RootCommand("Load, unload and inspect the page_alloc_bench kernel module. Records go to stdout as JSON lines, messages to stderr.")
        {
            insert, remove, status,
        };
    }

    /// <summary>The exit codes pab-load uses (docs/conventions.md has the whole table).</summary>
    public static readonly ExitCode[] ExitCodes =
    [
        ExitCode.Ok, ExitCode.Failed, ExitCode.Usage, ExitCode.NotLoaded, ExitCode.NotRoot, ExitCode.NoModuleSupport,
        ExitCode.WrongKernel, ExitCode.OtherBuildLoaded, ExitCode.InUse, ExitCode.ModuleFileMissing, ExitCode.AbiMismatch,
        ExitCode.InternalError,
    ];

    public static ToolCli Cli() => new("pab-load", Build()) { ExitCodes = ExitCodes };
}
