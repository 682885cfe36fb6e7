using System.CommandLine;
using Pab.Common.Cli;
using Pab.Report.Merge;

namespace Pab.Report.Commands;

/// <summary>The options the report and compare both take, one instance each so both read them alike.</summary>
internal static class SharedOptions
{
    public static readonly Option<string?> Html = new("--html")
    {
        Description = "Also write one self-contained HTML page (the table, every run's values, latency CDFs) to this file",
    };

    // Choices have no DefaultValueFactory: help would show the default as the enum's name (Latest), not as typed.
    public static readonly Option<KeepPolicy?> Keep = new("--keep")
    {
        Description = "When runs measured the same metric, order and iteration: latest (the later run replaces the earlier) or all (keep every value) [default: latest]",
        CustomParser = r => CliValues.Choice<KeepPolicy>(r),
    };

    public static readonly Option<bool> SkipBad = new("--skip-bad")
    {
        Description = "Report malformed records and go on without them, instead of failing",
    };

    static SharedOptions() => Keep.ShowChoices<KeepPolicy>();
}
