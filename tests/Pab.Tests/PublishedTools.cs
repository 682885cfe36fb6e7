namespace Pab.Tests;

/// <summary>
/// The four tools as users run them: published self-contained into build/bin by scripts/publish-tools
/// (once per test run; it does nothing when no tool source changed since the last publish).
/// </summary>
public static class PublishedTools
{
    public static string Dir { get; } = RepoPaths.Of("build", "bin");

    private static readonly Lazy<string> Published = new(() =>
    {
        var r = Exec.Run(RepoPaths.Of("scripts", "publish-tools"), ["--out", Dir], TimeSpan.FromMinutes(20));
        Assert.True(r.Code == 0, "scripts/publish-tools failed:\n" + r.Output);
        return Dir;
    });

    /// <summary>The path of a published tool, publishing first if needed.</summary>
    public static string Of(string tool) => Path.Combine(Published.Value, tool);
}
