using Pab.Common;

namespace Pab.Tests.Common;

/// <summary>What our tools do to their own pages: huge pages off for them but not for what they start, and their executable's pages given back.</summary>
public class OwnPagesTests
{
    [Fact]
    public void TheAntagonistHasNoHugePagesAndItsCommandHasTheMachinesSetting()
    {
        // Under --idle-first the command starts before the checks (which then refuse: no module here).
        // It reads its parent's flag (set again just after the start: given up to 5 s) and its own.
        var r = Exec.Run(PublishedTools.Of("pab-antagonize"), ["--order", "0", "--idle-first", "--", "sh", "-c",
            "for i in $(seq 50); do grep -q 'THP_enabled:.0' /proc/$PPID/status && break; sleep 0.1; done; " +
            "grep -h THP_enabled /proc/$PPID/status; grep -h THP_enabled /proc/self/status"], TimeSpan.FromMinutes(2));
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("THP_enabled:", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 2, "the command's output:\n" + r.Output);
        Assert.Equal("THP_enabled:\t0", lines[0].Replace(' ', '\t'));
        Assert.Equal("THP_enabled:\t1", lines[1].Replace(' ', '\t'));
    }

    [Fact]
    public void TheExecutablesReadOnlyMappingsAreFoundAndAdvised()
    {
        // This test host's own executable: its read-only mappings, found in /proc/self/maps, are paged out.
        Assert.True(ExecutablePages.Release() > 0, "no read-only mapping of the executable was advised");
    }
}
