using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Pab.Common.Cli;

/// <summary>
/// What every pab tool's Main does with its command line: usage errors as short lines on stderr and
/// exit 2 (stdout carries records, so nothing goes there); --help and --version on stdout, exit 0,
/// the help ending with the tool's exit codes; anything unexpected one line "internal error", exit
/// 70, the stack trace only with PAB_DEBUG=1.
/// </summary>
public sealed class ToolCli(string tool, RootCommand root)
{
    /// <summary>Set to 1 to see the stack trace of an internal error.</summary>
    public const string DebugVariable = "PAB_DEBUG";

    /// <summary>The exit codes this tool uses, shown at the end of --help.</summary>
    public IReadOnlyList<ExitCode> ExitCodes { get; init; } = [ExitCode.Ok, ExitCode.Failed, ExitCode.Usage];

    /// <summary>A last line for the exit-code list (pab-antagonize: "else the command's status").</summary>
    public string? ExitNote { get; init; }

    /// <summary>An argument whose words must come after "--" (the command pab-antagonize wraps).</summary>
    public Argument? AfterDoubleDash { get; init; }

    /// <summary>Whether an internal error shows its stack trace (PAB_DEBUG=1).</summary>
    public bool Debug { get; init; } = Environment.GetEnvironmentVariable(DebugVariable) == "1";

    public TextWriter Output { get; init; } = Console.Out;
    public TextWriter Error { get; init; } = Console.Error;

    private static int s_hooked;

    public int Run(IReadOnlyList<string> args)
    {
        // A worker thread's exception never reaches the catch below: say it the same way and exit.
        // Only for a real Main (stderr is the console's), never inside a test host.
        if (ReferenceEquals(Error, Console.Error) && Interlocked.Exchange(ref s_hooked, 1) == 0)
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
                Environment.Exit(Unexpected(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject?.ToString())));
        try
        {
            AddExitCodesToHelp();
            // No @response files: "@x" is a file name like any other.
            var pr = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            var clears = pr.Action is CommandLineAction { ClearsParseErrors: true };
            var errors = clears ? [] : UsageErrors.Of(pr, AfterDoubleDash);
            if (errors.Count > 0)
            {
                string who = string.Join(' ', CommandPath(pr.CommandResult.Command));
                foreach (string e in errors) Error.WriteLine($"{who}: {e}");
                Error.WriteLine($"{who}: see --help");
                return (int)ExitCode.Usage;
            }
            return pr.Invoke(new InvocationConfiguration { Output = Output, Error = Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Unexpected(e);
        }
    }

    /// <summary>A usage error found after parsing (options that conflict, a bad variable): said as the parser's are; returns 2.</summary>
    public static int UsageError(string who, string message, TextWriter? error = null)
    {
        error ??= Console.Error;
        error.WriteLine($"{who}: {message}");
        error.WriteLine($"{who}: see --help");
        return (int)ExitCode.Usage;
    }

    private int Unexpected(Exception e)
    {
        if (Debug) Error.WriteLine(e.ToString());
        try
        {
            // An output that went away (closed stdout, a full disk) is the machine's doing, not a bug.
            if (e is IOException or UnauthorizedAccessException)
            {
                Error.WriteLine($"{tool}: input/output error: {StdStreams.Describe(e)}");
                return (int)ExitCode.Failed;
            }
            Error.WriteLine($"{tool}: internal error: {e.Message} (please report; {DebugVariable}=1 shows where)");
        }
        catch (IOException)
        {
            // stderr is gone too: the exit code is all that is left to say it.
        }
        return (int)ExitCode.InternalError;
    }

    private IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c != null; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, c == root ? tool : c.Name);
        return names;
    }

    private void AddExitCodesToHelp()
    {
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: HelpAction help } option)
            option.Action = new HelpWithExitCodes(help, Pab.Common.ExitCodes.HelpSection(ExitCodes, ExitNote));
    }

    private sealed class HelpWithExitCodes(HelpAction help, string section) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(section);
            output.WriteLine();
            return 0;
        }
    }
}
