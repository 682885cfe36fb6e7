using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// The command pab-antagonize runs antagonized: started with the pipeline's variables and the
/// original oom_score_adj, sent SIGTERM when the antagonist must stop, waited for.
/// </summary>
public sealed class WrappedCommand(string[] command, int order, RunOutput output)
{
    private volatile Process? _child;

    /// <summary>
    /// A signal the antagonist received: while the command runs it is the command's to act on (SIGINT
    /// from a terminal already reached it, being in the same process group; SIGTERM is passed on).
    /// Returns false when no command runs, so the antagonist stops itself.
    /// </summary>
    public bool OnSignal(int signal)
    {
        if (_child is not { } child) return false;
        if (signal == Native.SIGTERM)
            try { Native.kill(child.Id, signal); } catch (InvalidOperationException) { }
        return true;
    }

    /// <summary>Runs the command to its end, terminating it if the workers stop first; returns its status and the stop reason.</summary>
    public (int Status, string Reason) Run(OomShield shield, AntagonistControl control)
    {
        var psi = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (string arg in command.Skip(1)) psi.ArgumentList.Add(arg);
        psi.Environment[RunContext.LabelVariable] = Antagonist.Label;
        psi.Environment[RunContext.OrderVariable] = order.ToString(CultureInfo.InvariantCulture);
        psi.Environment[RunContext.RunIdVariable] = RunContext.RunId;

        shield.Lower();
        Process child;
        try
        {
            child = Process.Start(psi) ?? throw new Win32Exception("no process");
        }
        catch (Win32Exception e)
        {
            shield.Restore();
            string message = $"cannot start {command[0]}: {e.Message}";
            output.Say(message);
            output.Event("error", message);
            return ((int)ExitCode.CommandNotStarted, message);
        }
        shield.Restore();
        _child = child;
        output.Event("command", string.Join(' ', command), null, new() { ["pid"] = child.Id });

        bool terminated = false;
        while (!child.WaitForExit(500))
        {
            if (control.StopRequested && !terminated)
            {
                // A worker failed: the command would no longer be measured antagonized.
                Native.kill(child.Id, Native.SIGTERM);
                terminated = true;
            }
        }
        child.WaitForExit();
        _child = null;
        int status = child.ExitCode;
        child.Dispose();
        return (status, $"command exited with status {status}");
    }
}
