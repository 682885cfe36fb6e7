using Pab.Common;
using Pab.Common.Cli;
using Pab.Report.Commands;
using Pab.Report.Export;

Stream stdout;
try
{
    stdout = Console.OpenStandardOutput();
}
catch (UnauthorizedAccessException e)
{
    // A closed stdout: natively compiled, nothing has reused fd 1 as a runtime would have, so opening it fails.
    // Said before stderr is opened, which may take fd 1.
    Console.Error.WriteLine($"pab-report: input/output error: {StdStreams.Describe(e)}");
    return (int)ExitCode.Failed;
}
return ReportCli.Run(args, stdout, Console.Error, Ansi.For(Console.IsOutputRedirected), Ansi.For(Console.IsErrorRedirected));
