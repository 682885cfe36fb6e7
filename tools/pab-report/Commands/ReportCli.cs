using System.Text;
using Pab.Common;
using Pab.Common.Cli;
using Pab.Report.Export;

namespace Pab.Report.Commands;

/// <summary>pab-report's command line: the report (the root command) and compare.</summary>
public static class ReportCli
{
    /// <summary>The exit codes pab-report uses (docs/conventions.md has the whole table).</summary>
    public static readonly ExitCode[] ExitCodes = [ExitCode.Ok, ExitCode.Failed, ExitCode.Usage, ExitCode.InternalError];

    /// <summary>Runs pab-report; colour (default: none) for what goes to a terminal.</summary>
    public static int Run(string[] args, Stream stdout, TextWriter stderr, Ansi? stdoutColour = null, Ansi? stderrColour = null)
    {
        var colour = stdoutColour ?? Ansi.Off;
        if (stderrColour is { Enabled: true }) stderr = new LabelledWriter(stderr, stderrColour);
        var root = ReportCommand.Create(stdout, stderr);
        root.Subcommands.Add(CompareCommand.Create(stdout, stderr, colour));
        // --help and --version on stdout, usage errors on stderr only (docs/conventions.md).
        using var help = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        return new ToolCli("pab-report", root) { ExitCodes = ExitCodes, Output = help, Error = stderr }.Run(args);
    }
}
