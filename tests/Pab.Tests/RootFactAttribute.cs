namespace Pab.Tests;

/// <summary>A fact that needs root (scripts/run-tests runs as root): skipped, visibly, for anyone else.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Pab.Common.Native.geteuid() != 0)
            Skip = "needs root";
    }
}
