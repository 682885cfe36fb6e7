using System.CommandLine;
using Pab.Common;
using Pab.Common.Cli;
using Pab.Report.Compare;
using Pab.Report.Export;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Commands;

/// <summary>compare: sides against a baseline over runs, each side merged as the report merges.</summary>
internal static class CompareCommand
{
    private static readonly Argument<string[]> SidesArgument = new("SIDES")
    {
        Description = "[NAME=]FILE[,FILE…] per side, the baseline first; a directory stands for its *.jsonl and *.json files (and *.gz of them)",
        Arity = new ArgumentArity(2, 64),
    };

    private static readonly Option<CompareFormat?> FormatOption = new("--format", "-f")
    {
        Description = "Output: text or markdown [default: text]",
        CustomParser = r => CliValues.Choice<CompareFormat>(r),
    };

    private static readonly Option<string?> ExportMarkdownOption = new("--export-markdown")
    {
        Description = "Also write the comparison as Markdown to this file",
    };

    private static readonly Option<string?> ExportJsonOption = new("--export-json")
    {
        Description = "Also write the comparison as JSON to this file (rows, sides, run summaries, intervals, verdicts)",
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

    private static readonly Option<bool> AcrossModesOption = new("--across-modes")
    {
        Description = "Compare runs whose antagonist ran in different modes (--gfp, --bulk, --free-on): when the mode is the experiment " +
            "(free-on other against same); without it such a comparison is refused",
    };

    static CompareCommand() => FormatOption.ShowChoices<CompareFormat>();

    public static Command Create(Stream stdout, TextWriter stderr, Ansi colour)
    {
        var compare = new Command("compare", "Compare sides against a baseline over runs (a boot is one sample): per metric and order, the change with its interval and a verdict where the runs allow one")
        {
            SidesArgument, FormatOption, ExportMarkdownOption, ExportJsonOption, SharedOptions.Html, SharedOptions.Keep, SharedOptions.SkipBad, AlphaOption, MinChangeOption, AcrossModesOption,
        };
        compare.SetAction(pr => Run(pr, stdout, stderr, colour));
        return compare;
    }

    private static int Run(ParseResult pr, Stream stdout, TextWriter stderr, Ansi colour)
    {
        var sides = new List<Side>();
        foreach (string arg in pr.GetValue(SidesArgument) ?? [])
        {
            var side = Side.Parse(arg, out string? error);
            if (error != null) return ToolCli.UsageError("pab-report compare", $"side '{arg}': {error}", stderr);
            sides.Add(side);
        }
        var names = sides.Select(s => s.Name).ToList();
        for (int i = 0; i < names.Count; i++)
            if (names.IndexOf(names[i]) != i) names[i] = $"{names[i]}#{i + 1}";
        bool skipBad = pr.GetValue(SharedOptions.SkipBad);
        var keep = pr.GetValue(SharedOptions.Keep) ?? KeepPolicy.Latest;
        var data = new List<MergedData>();
        bool failed = false;
        for (int i = 0; i < sides.Count; i++)
        {
            var d = MergedData.Read(sides[i].Sources, keep);
            string prefix = $"[{names[i]}] ";
            failed |= InputChecks.PrintProblems(d, skipBad, stderr, prefix) || InputChecks.NothingRead(d, stderr, prefix);
            foreach (string warning in Warning.Grouped(Advice.For(d))) stderr.WriteLine($"pab-report: {prefix}warning: {warning}");
            data.Add(d);
        }
        if (failed) return (int)ExitCode.Failed;
        var modes = ModeDifferences.Describe(names, data);
        if (modes.Count > 0 && !pr.GetValue(AcrossModesOption))
        {
            foreach (string m in modes) stderr.WriteLine($"pab-report compare: {m}");
            stderr.WriteLine("pab-report compare: runs are compared only against runs of the same mode (a GFP mode takes other watermarks and paths, " +
                "bulk another API, freeing on another CPU other locks); compare one mode at a time, or give --across-modes when the mode is the experiment");
            return (int)ExitCode.Failed;
        }
        var cmp = Comparison.Run(data, names, pr.GetValue(AlphaOption), pr.GetValue(MinChangeOption) / 100);
        cmp.SideInfo.AddRange(SideInfo.Describe(sides, names, data));
        foreach (string m in modes)
        {
            stderr.WriteLine($"pab-report: warning: {m} (--across-modes)");
            cmp.SideInfo.Add(m);
        }
        foreach (string hold in HoldDifferences.Describe(names, data))
        {
            stderr.WriteLine($"pab-report: warning: {hold}");
            cmp.SideInfo.Add(hold);
        }
        var content = new CompareContent(cmp, data);
        FileOutput<CompareContent>[] outputs =
        [
            new(ExportMarkdownOption.Name, pr.GetValue(ExportMarkdownOption), Exporters.For(CompareFormat.Markdown)),
            new(SharedOptions.Html.Name, pr.GetValue(SharedOptions.Html), new HtmlExporter()),
            new(ExportJsonOption.Name, pr.GetValue(ExportJsonOption), new CompareJsonExporter()),
        ];
        if (!FileOutputs.Write(content, outputs, stderr)) return (int)ExitCode.Failed;
        Exporters.For(pr.GetValue(FormatOption) ?? CompareFormat.Text, colour).Export(content, stdout);
        return (int)ExitCode.Ok;
    }
}
