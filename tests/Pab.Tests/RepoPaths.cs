namespace Pab.Tests;

/// <summary>Locates the repository from the test binary, so tests run from any working directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PageAllocBench.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("repository root (PageAllocBench.slnx) not found above " + AppContext.BaseDirectory);
    }

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);
}
