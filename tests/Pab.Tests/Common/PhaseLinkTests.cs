using System.Diagnostics;
using Pab.Common;

namespace Pab.Tests.Common;

public class PhaseLinkTests
{
    [Fact]
    public void TheCommandInheritsBothEndsAndTheWordsGoBothWays()
    {
        using var link = new PhaseLink.AntagonistEnd();
        // The command's side in shell, for one order: wait for ready, ask, wait for steady, ask for
        // the next order, wait for the end, say what it heard.
        var psi = new ProcessStartInfo("/bin/bash") // dash takes single-digit descriptors only
        {
            ArgumentList = { "-c", "r=${PAB_PHASE_FDS%,*}; w=${PAB_PHASE_FDS#*,}; eval \"read a <&$r; echo antagonize >&$w; read b <&$r; echo next >&$w; read c <&$r\"; echo \"$a/$b/$c\"" },
            RedirectStandardOutput = true, UseShellExecute = false,
        };
        psi.Environment[PhaseLink.Variable] = link.Variable;
        using var child = Process.Start(psi)!;
        link.Started();
        Assert.True(link.Send(PhaseLink.ReadyFor(4)));
        Assert.Equal(PhaseLink.Antagonize, link.Receive());
        Assert.True(link.Send(PhaseLink.Steady));
        Assert.Equal(PhaseLink.Next, link.Receive());
        Assert.True(link.Send(PhaseLink.End));
        Assert.Equal("ready 4/steady/end", child.StandardOutput.ReadToEnd().Trim());
        child.WaitForExit();
        // Its end closed with it: the antagonist's reads end instead of hanging, and a word is refused, not thrown.
        Assert.Null(link.Receive());
        Assert.False(link.Send(PhaseLink.End));
    }

    [Fact]
    public void TheCommandEndTakesEachOrderThenTheEndAndSaysWhatElseCame()
    {
        using var toCommand = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out, System.IO.HandleInheritability.Inheritable);
        using var fromCommand = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In, System.IO.HandleInheritability.Inheritable);
        string fds = $"{toCommand.GetClientHandleAsString()},{fromCommand.GetClientHandleAsString()}";
        var end = PhaseLink.FromEnvironment(v => v == PhaseLink.Variable ? fds : null, out _)!;
        toCommand.Write("ready 0\nready 10\nready\nready x\nstopped\nend\n"u8);
        toCommand.Flush();
        Assert.Equal((0, null), end.WaitForOrder(() => false));
        Assert.Equal((10, null), end.WaitForOrder(() => false));
        Assert.Equal((null, "pab-antagonize said 'ready' instead of 'ready ORDER' or 'end'"), end.WaitForOrder(() => false));
        Assert.Equal((null, "pab-antagonize said 'ready x' instead of 'ready ORDER' or 'end'"), end.WaitForOrder(() => false));
        Assert.Equal((null, "pab-antagonize said 'stopped' instead of 'ready ORDER' or 'end'"), end.WaitForOrder(() => false));
        Assert.Equal(((int?)null, (string?)null), end.WaitForOrder(() => false));
        Assert.Equal((null, "interrupted"), end.WaitForOrder(() => true));
    }

    [Theory]
    [InlineData("3", "is not READ,WRITE")]
    [InlineData("x,4", "is not READ,WRITE")]
    [InlineData("900,901", "are not open")]
    public void ABadVariableIsRefusedNamingIt(string value, string expected)
    {
        Assert.Null(PhaseLink.FromEnvironment(v => v == PhaseLink.Variable ? value : null, out string? error));
        Assert.StartsWith(PhaseLink.Variable, error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void NoVariableNoLinkAndNoError()
    {
        Assert.Null(PhaseLink.FromEnvironment(_ => null, out string? error));
        Assert.Null(error);
    }

    [Fact]
    public void TheCommandEndSaysWhatCameInsteadAndStopsWaitingOnASignal()
    {
        using var toCommand = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out, System.IO.HandleInheritability.Inheritable);
        using var fromCommand = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In, System.IO.HandleInheritability.Inheritable);
        string fds = $"{toCommand.GetClientHandleAsString()},{fromCommand.GetClientHandleAsString()}";
        var end = PhaseLink.FromEnvironment(v => v == PhaseLink.Variable ? fds : null, out string? error)!;
        Assert.Null(error);
        toCommand.Write("stopped\n"u8);
        toCommand.Flush();
        Assert.Equal("pab-antagonize said 'stopped' instead of 'steady'", end.WaitFor(PhaseLink.Steady, () => false));
        Assert.Equal("interrupted", end.WaitFor(PhaseLink.Steady, () => true));
    }
}
