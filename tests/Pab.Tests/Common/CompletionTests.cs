namespace Pab.Tests.Common;

/// <summary>scripts/completion.bash in a real bash over the published tools, as a user turns it on.</summary>
public sealed class CompletionTests
{
    /// <summary>What bash offers for the line typed so far (the cursor at its end).</summary>
    private static string[] Complete(string line)
    {
        string tool = PublishedTools.Of("pab-report"); // publishes all four
        string[] words = line.Split(' ');
        string script = $"""
            . '{RepoPaths.Of("scripts", "completion.bash")}'
            PATH='{Path.GetDirectoryName(tool)}':$PATH
            COMP_LINE='{line}'
            COMP_POINT=${"{"}#COMP_LINE{"}"}
            _pab_complete '{words[0]}' '{words[^1]}' '{(words.Length > 1 ? words[^2] : "")}'
            printf '%s\n' "${"{"}COMPREPLY[@]{"}"}"
            """;
        var r = Exec.Run("/bin/bash", ["-c", script], TimeSpan.FromSeconds(60));
        Assert.True(r.Code == 0, r.Output);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void OptionsSubcommandsAndChoicesComeFromTheTools()
    {
        var exports = Complete("pab-report compare --exp");
        Assert.Contains("--export-markdown", exports);
        Assert.Contains("--export-json", exports);
        Assert.DoesNotContain("--format", exports);

        Assert.Equal(["--output-path"], Complete("pab-report --out"));
        Assert.Equal(["csv", "json", "jsonl", "markdown", "text"], Complete("pab-report --format ").Order());
        Assert.Equal(["insert"], Complete("pab-load ins"));
        Assert.Contains("--iterations", Complete("pab-exhaust --it"));
        Assert.Contains("--no-hold-limit", Complete("pab-antagonize --no"));
    }
}
