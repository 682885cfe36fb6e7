using Pab.Report.Commands;
using Pab.Report.Export;

return ReportCli.Run(args, Console.OpenStandardOutput(), Console.Error, Ansi.For(Console.IsOutputRedirected), Ansi.For(Console.IsErrorRedirected));
