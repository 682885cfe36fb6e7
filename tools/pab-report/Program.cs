using System.CommandLine;
using System.Globalization;
using System.Text;
using Pab.Common;
using Pab.Common.Cli;
using Pab.Report;
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
    string why = StdStreams.Describe(e);
    Console.Error.WriteLine($"pab-report: input/output error: {why}");
    return (int)ExitCode.Failed;
}
return ReportCli.Run(args, stdout, Console.Error, Ansi.For(Console.IsOutputRedirected), Ansi.For(Console.IsErrorRedirected));

namespace Pab.Report
{
    public static class ReportCli
    {
        private static readonly Argument<string[]> FilesArgument = new("FILES")
        {
            Description = "Record files: JSON lines from the pab tools, or the original tool's JSON output; '-' for standard input (the default when no file is given)",
            Arity = ArgumentArity.ZeroOrMore,
        };

        private static readonly Option<Picked<ReportFormat>?> FormatOption = new("--format", "-f")
        {
            Description = "Output on standard output: text (the default, also when redirected), jsonl (the merged records), csv, markdown, json (the report's rows)",
            CustomParser = r => new Picked<ReportFormat>(CliValues.Choice<ReportFormat>(r)),
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

        // Choices have no DefaultValueFactory: help would show the default as the enum's name (Latest), not as typed.
        private static readonly Option<Picked<KeepPolicy>?> KeepOption = new("--keep")
        {
            Description = "When runs measured the same metric, order and iteration: latest (the later run replaces the earlier) or all (keep every value) [default: latest]",
            CustomParser = r => new Picked<KeepPolicy>(CliValues.Choice<KeepPolicy>(r)),
        };

        private static readonly Option<bool> SkipBadOption = new("--skip-bad")
        {
            Description = "Report malformed records and go on without them, instead of failing",
        };

        private static readonly Argument<string[]> SidesArgument = new("SIDES")
        {
            Description = "[NAME=]FILE[,FILE…] per side, the baseline first; a directory stands for its *.jsonl and *.json files (and *.gz of them)",
            Arity = new ArgumentArity(2, 64),
        };

        private static readonly Option<Picked<CompareFormat>?> CompareFormatOption = new("--format", "-f")
        {
            Description = "Output: text or markdown [default: text]",
            CustomParser = r => new Picked<CompareFormat>(CliValues.Choice<CompareFormat>(r)),
        };

        private static readonly Option<string?> ExportMarkdownOption = new("--export-markdown")
        {
            Description = "Also write the comparison as Markdown to this file",
        };

        private static readonly Option<string?> ExportJsonOption = new("--export-json")
        {
            Description = "Also write the comparison as JSON to this file (rows, sides, run summaries, intervals, verdicts)",
        };

        private static readonly Option<string?> HtmlOption = new("--html")
        {
            Description = "Also write one self-contained HTML page (the table, every run's values, latency CDFs) to this file",
        };

        private static readonly Option<double> AlphaOption = new("--alpha")
        {
            Description = "Error rate of each verdict: its interval covers the true change with at least 1 − alpha",
            DefaultValueFactory = _ => 0.05,
            CustomParser = r => CliValues.Number(r, 0, 1, open: true),
        };

        private static readonly Option<double> MinChangeOption = new("--min-change")
        {
            Description = "Smallest change, in percent of the baseline, that is called a change (default 0: any the runs can show)",
            DefaultValueFactory = _ => 0.0,
            CustomParser = r => CliValues.Number(r, 0, double.PositiveInfinity),
        };

        // PAB_REPORT_TIMING=1 prints where the time goes (for bench/report-throughput.sh).
        private static readonly bool Timing = Environment.GetEnvironmentVariable("PAB_REPORT_TIMING") == "1";

        // CPU so far, and what of it the JIT took: ReadyToRun leaves generic code over value types to the JIT.
        private static string Cost() => string.Create(CultureInfo.InvariantCulture,
            $"{System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.000} s CPU ({System.Runtime.JitInfo.GetCompiledMethodCount()} methods JIT-compiled in {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:0.000} s)");

        static ReportCli()
        {
            FormatOption.ShowChoices(typeof(ReportFormat));
            KeepOption.ShowChoices(typeof(KeepPolicy));
            CompareFormatOption.ShowChoices(typeof(CompareFormat));
        }

        /// <summary>The exit codes pab-report uses (docs/conventions.md has the whole table).</summary>
        public static readonly ExitCode[] ExitCodes = [ExitCode.Ok, ExitCode.Failed, ExitCode.Usage, ExitCode.InternalError];

        /// <summary>Runs pab-report; colour (default: none) for what goes to a terminal.</summary>
        public static int Run(string[] args, Stream stdout, TextWriter stderr, Ansi? stdoutColour = null, Ansi? stderrColour = null)
        {
            var colour = stdoutColour ?? Ansi.Off;
            if (stderrColour is { Enabled: true }) stderr = new LabelledWriter(stderr, stderrColour);
            var root = new RootCommand("Merge page-alloc-bench records from any runs into a report; 'compare' sets runs against a baseline")
            {
                FilesArgument, FormatOption, OutputPathOption, HtmlOption, KeepOption, SkipBadOption,
            };
            var compare = new Command("compare", "Compare sides against a baseline over runs (a boot is one sample): per metric and order, the change with its interval and a verdict where the runs allow one")
            {
                SidesArgument, CompareFormatOption, ExportMarkdownOption, ExportJsonOption, HtmlOption, KeepOption, SkipBadOption, AlphaOption, MinChangeOption,
            };
            foreach (var (option, _) in ReportExports) root.Options.Add(option);
            root.Subcommands.Add(compare);
            root.SetAction(pr => Report(pr, stdout, stderr));
            compare.SetAction(pr => CompareSides(pr, stdout, stderr, colour));
            // --help and --version on stdout, usage errors on stderr only (docs/conventions.md).
            using var help = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
            return new ToolCli("pab-report", root) { ExitCodes = ExitCodes, Output = help, Error = stderr }.Run(args);
        }

        private static int Report(ParseResult pr, Stream stdout, TextWriter stderr)
        {
            string[] files = pr.GetValue(FilesArgument) ?? [];
            var sources = files.Length == 0 ? [InputSource.FromArgument("-")] : files.Select(InputSource.FromArgument).ToList();
            if (files.Length == 0 && !Console.IsInputRedirected)
                stderr.WriteLine("pab-report: reading records from standard input (end with Ctrl-D; --help for usage)");
            bool skipBad = pr.GetValue(SkipBadOption);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var data = MergedData.Read(sources, pr.GetValue(KeepOption)?.Value ?? KeepPolicy.Latest);
            if (Timing) stderr.WriteLine($"pab-report: timing: read and merged in {clock.Elapsed.TotalSeconds:0.000} s wall, {Cost()}");
            bool failed = PrintProblems(data, skipBad, stderr, "");
            var warnings = failed ? [] : Advice.For(data);
            foreach (string w in Warning.Grouped(warnings)) stderr.WriteLine($"pab-report: warning: {w}");
            PrintSummary(data, sources.Count, stderr);
            if (failed) return (int)ExitCode.Failed;
            if (NothingRead(data, stderr, "")) return (int)ExitCode.Failed;

            if (pr.GetValue(OutputPathOption) is { } path)
            {
                try { OriginalFormat.WriteFile(data, path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"pab-report: --output-path {path}: cannot write: {IoText.Reason(path, e)}");
                    return (int)ExitCode.Failed;
                }
            }
            if (pr.GetValue(HtmlOption) is { } html && !WriteFile(html, "--html", stderr, s => WriteHtml(ComparePage.Build(data, warnings), s)))
                return (int)ExitCode.Failed;
            foreach (var (option, exportFormat) in ReportExports)
                if (pr.GetValue(option) is { } file && !WriteFile(file, option.Name, stderr, s => Exporters.For(exportFormat).Export(data, warnings, s)))
                    return (int)ExitCode.Failed;
            // Text whether or not standard output is a terminal: `pab-report x > report.txt` holds what the terminal shows.
            var format = pr.GetValue(FormatOption)?.Value ?? ReportFormat.Text;
            try
            {
                Exporters.For(format).Export(data, warnings, stdout);
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

        private static int CompareSides(ParseResult pr, Stream stdout, TextWriter stderr, Ansi colour)
        {
            var sides = new List<Side>();
            foreach (string arg in pr.GetValue(SidesArgument) ?? [])
            {
                var side = Side.Parse(arg, out string? error);
                if (error != null)
                {
                    return ToolCli.UsageError("pab-report compare", $"side '{arg}': {error}", stderr);
                }
                sides.Add(side);
            }
            var names = sides.Select(s => s.Name).ToList();
            for (int i = 0; i < names.Count; i++)
                if (names.IndexOf(names[i]) != i) names[i] = $"{names[i]}#{i + 1}";
            bool skipBad = pr.GetValue(SkipBadOption);
            var keep = pr.GetValue(KeepOption)?.Value ?? KeepPolicy.Latest;
            var data = new List<MergedData>();
            bool failed = false;
            for (int i = 0; i < sides.Count; i++)
            {
                var d = MergedData.Read(sides[i].Sources, keep);
                failed |= PrintProblems(d, skipBad, stderr, $"[{names[i]}] ") || NothingRead(d, stderr, $"[{names[i]}] ");
                foreach (string warning in Warning.Grouped(Advice.For(d))) stderr.WriteLine($"pab-report: [{names[i]}] warning: {warning}");
                data.Add(d);
            }
            if (failed) return (int)ExitCode.Failed;
            var cmp = Comparison.Run(data, names, pr.GetValue(AlphaOption), pr.GetValue(MinChangeOption) / 100);
            cmp.SideInfo.AddRange(SideInfo.Describe(sides, names, data));
            if (pr.GetValue(ExportMarkdownOption) is { } md && !WriteFile(md, "--export-markdown", stderr, s =>
            {
                using var w = Exporters.Writer(s);
                CompareWriter.Write(cmp, w, markdown: true);
            }))
                return (int)ExitCode.Failed;
            if (pr.GetValue(HtmlOption) is { } html && !WriteFile(html, "--html", stderr, s => WriteHtml(ComparePage.Build(cmp, data), s)))
                return (int)ExitCode.Failed;
            if (pr.GetValue(ExportJsonOption) is { } json && !WriteFile(json, "--export-json", stderr, s => CompareJson.Write(cmp, s)))
                return (int)ExitCode.Failed;
            using var w = Exporters.Writer(stdout);
            CompareWriter.Write(cmp, w, pr.GetValue(CompareFormatOption)?.Value == CompareFormat.Markdown, colour);
            return (int)ExitCode.Ok;
        }

        /// <summary>Writes an export beside the terminal output, atomically; false (said on stderr) when it cannot.</summary>
        private static bool WriteFile(string path, string option, TextWriter stderr, Action<Stream> write)
        {
            string tmp = path + ".tmp" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            try
            {
                using (var f = File.Create(tmp))
                    write(f);
                File.Move(tmp, path, overwrite: true);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(tmp); } catch (Exception) { }
                stderr.WriteLine($"pab-report: {option} {path}: cannot write: {IoText.Reason(path, e)}");
                return false;
            }
        }

        private static void WriteHtml(HtmlPage page, Stream s)
        {
            using var w = Exporters.Writer(s);
            HtmlReport.Write(page, w);
        }

        /// <summary>Prints every problem; true when the report must fail.</summary>
        private static bool PrintProblems(MergedData data, bool skipBad, TextWriter stderr, string prefix)
        {
            const int Shown = 50;
            foreach (var p in data.Problems.Take(Shown)) stderr.WriteLine($"pab-report: {prefix}{p}");
            if (data.Problems.Count > Shown) stderr.WriteLine($"pab-report: {prefix}… and {UnitFormat.Count(data.Problems.Count - Shown)} more problem(s)");
            bool unreadable = data.Problems.Any(p => p.Severity == Severity.Error && p.Where.Line == 0);
            int bad = data.Problems.Count(p => p.Severity == Severity.Error && p.Where.Line > 0);
            if (unreadable)
            {
                stderr.WriteLine($"pab-report: {prefix}an input could not be read; nothing written");
                return true;
            }
            if (bad > 0 && !skipBad)
            {
                stderr.WriteLine($"pab-report: {prefix}{UnitFormat.Count(bad)} bad record(s); nothing written. Fix the input, or pass --skip-bad to report without them");
                return true;
            }
            return false;
        }

        /// <summary>True (said on stderr) when no record at all was read: an empty input is a mistake, not an empty report.</summary>
        private static bool NothingRead(MergedData data, TextWriter stderr, string prefix)
        {
            if (data.RecordsKept > 0) return false;
            stderr.WriteLine($"pab-report: {prefix}no records in the input{(data.RecordsRead > 0 ? " (every record was rejected)" : "")}; nothing to report, nothing written");
            return true;
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
}
