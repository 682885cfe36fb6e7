using System.CommandLine;
using System.Globalization;
using Pab.Common;
using Pab.Common.Cli;
using Pab.Report.Export;
using Pab.Report.Input;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Commands;

/// <summary>The report: merges records from any runs and writes them in every format asked for.</summary>
internal static class ReportCommand
{
    private static readonly Argument<string[]> FilesArgument = new("FILES")
    {
        Description = "Record files: JSON lines from the pab tools, or the original tool's JSON output; '-' for standard input (the default when no file is given)",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<ReportFormat?> FormatOption = new("--format", "-f")
    {
        Description = "Output on standard output: text (the default, also when redirected), jsonl (the merged records), csv, markdown, json (the report's rows)",
        CustomParser = r => CliValues.Choice<ReportFormat>(r),
    };

    private static readonly Option<string?> OutputPathOption = new("--output-path", "-o")
    {
        Description = "Also write the original tool's JSON (metric_order$n → array of integers) to this file, atomically",
    };

    // The report's exports beside the terminal text, as hyperfine's --export-*: each file written atomically, never in colour.
    private static readonly (Option<string?> Option, ReportFormat Format)[] ReportExports =
    [
        (new Option<string?>("--export-markdown") { Description = "Also write the report as Markdown to this file" }, ReportFormat.Markdown),
        (new Option<string?>("--export-csv") { Description = "Also write every value with its keys as CSV to this file" }, ReportFormat.Csv),
        (new Option<string?>("--export-json") { Description = "Also write the report's rows, runs and warnings as JSON to this file" }, ReportFormat.Json),
        (new Option<string?>("--export-jsonl") { Description = "Also write the merged records as JSON lines to this file" }, ReportFormat.Jsonl),
    ];

    // PAB_REPORT_TIMING=1 prints where the time goes (for bench/report-throughput.sh).
    private static readonly bool Timing = Environment.GetEnvironmentVariable("PAB_REPORT_TIMING") == "1";

    static ReportCommand() => FormatOption.ShowChoices<ReportFormat>();

    public static RootCommand Create(Stream stdout, TextWriter stderr)
    {
        var root = new RootCommand("Merge page-alloc-bench records from any runs into a report; 'compare' sets runs against a baseline")
        {
            FilesArgument, FormatOption, OutputPathOption, SharedOptions.Html, SharedOptions.Keep, SharedOptions.SkipBad,
        };
        foreach (var (option, _) in ReportExports) root.Options.Add(option);
        root.SetAction(pr => Run(pr, stdout, stderr));
        return root;
    }

    // CPU so far.
    private static string Cost() => string.Create(CultureInfo.InvariantCulture,
        $"{System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.000} s CPU");

    private static int Run(ParseResult pr, Stream stdout, TextWriter stderr)
    {
        string[] files = pr.GetValue(FilesArgument) ?? [];
        var sources = files.Length == 0 ? [InputSource.FromArgument("-")] : files.Select(InputSource.FromArgument).ToList();
        if (files.Length == 0 && !Console.IsInputRedirected)
            stderr.WriteLine("pab-report: reading records from standard input (end with Ctrl-D; --help for usage)");
        bool skipBad = pr.GetValue(SharedOptions.SkipBad);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = MergedData.Read(sources, pr.GetValue(SharedOptions.Keep) ?? KeepPolicy.Latest);
        if (Timing) stderr.WriteLine($"pab-report: timing: read and merged in {clock.Elapsed.TotalSeconds:0.000} s wall, {Cost()}");
        bool failed = InputChecks.PrintProblems(data, skipBad, stderr, "");
        var warnings = failed ? [] : Advice.For(data);
        foreach (string w in Warning.Grouped(warnings)) stderr.WriteLine($"pab-report: warning: {w}");
        PrintSummary(data, sources.Count, stderr);
        if (failed) return (int)ExitCode.Failed;
        if (InputChecks.NothingRead(data, stderr, "")) return (int)ExitCode.Failed;

        var report = new ReportContent(data, warnings);
        FileOutput<ReportContent>[] outputs =
        [
            new(OutputPathOption.Name, pr.GetValue(OutputPathOption), new OriginalExporter()),
            new(SharedOptions.Html.Name, pr.GetValue(SharedOptions.Html), new HtmlExporter()),
            .. ReportExports.Select(e => new FileOutput<ReportContent>(e.Option.Name, pr.GetValue(e.Option), Exporters.For(e.Format))),
        ];
        if (!FileOutputs.Write(report, outputs, stderr)) return (int)ExitCode.Failed;
        // Text whether or not standard output is a terminal: `pab-report x > report.txt` holds what the terminal shows.
        var format = pr.GetValue(FormatOption) ?? ReportFormat.Text;
        try
        {
            Exporters.For(format).Export(report, stdout);
            stdout.Flush();
        }
        catch (IOException e)
        {
            // e.g. `pab-report | head`: the reader went away; --output-path, if any, is complete.
            stderr.WriteLine($"pab-report: standard output: {e.Message}");
            return (int)ExitCode.Failed;
        }
        if (Timing) stderr.WriteLine($"pab-report: timing: done in {clock.Elapsed.TotalSeconds:0.000} s wall, {Cost()}");
        return (int)ExitCode.Ok;
    }

    private static void PrintSummary(MergedData data, int inputs, TextWriter stderr)
    {
        long values = Series.ValueCountOf(data.Measured);
        static string N(long n) => UnitFormat.Count(n);
        stderr.WriteLine(
            $"pab-report: {N(data.RecordsRead)} record(s) read from {N(inputs)} input(s) in {N(data.Runs.Count)} run(s): {N(data.RecordsKept)} merged, {N(data.RecordsReplaced)} replaced, {(data.RecordsDuplicate > 0 ? $"{N(data.RecordsDuplicate)} duplicate, " : "")}{N(data.RecordsRejected)} rejected{(data.LinesTruncated > 0 ? $" ({N(data.LinesTruncated)} truncated)" : "")}; {N(values)} value(s) kept, {N(data.Derived.Count)} computed");
        foreach (string line in TextExporter.DescribeReplacements(data.Replacements))
            stderr.WriteLine("pab-report: replaced: " + line);
        foreach (string line in TextExporter.DescribeDuplicates(data.Duplicates))
            stderr.WriteLine("pab-report: warning: " + line);
    }
}
