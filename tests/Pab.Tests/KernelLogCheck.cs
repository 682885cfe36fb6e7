namespace Pab.Tests;

/// <summary>
/// The tests' kernel-log check: tests/kernel-log/check, the same script scripts/test-matrix runs,
/// over the one list of problems in tests/kernel-log/problems.txt.
/// </summary>
public static class KernelLogCheck
{
    public static string Script { get; } = RepoPaths.Of("tests", "kernel-log", "check");

    /// <summary>The log's lines that hold a listed problem; none when the log is clean.</summary>
    public static IReadOnlyList<string> Problems(string log)
    {
        var r = Exec.Run(Script, [], TimeSpan.FromMinutes(1), input: log);
        return r.Code switch
        {
            0 => [],
            1 => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            _ => throw new InvalidOperationException($"{Script} failed with exit {r.Code}: {r.Stderr}"),
        };
    }

    public static void AssertClean(string log)
    {
        var problems = Problems(log);
        Assert.True(problems.Count == 0, $"the kernel log has problems:\n{string.Join('\n', problems)}\n--- whole log ---\n{log}");
    }
}
