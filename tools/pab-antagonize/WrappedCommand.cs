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

    /// <summary>With --idle-first: the link the command inherits, through which it asks for the antagonized phase.</summary>
    public PhaseLink.AntagonistEnd? Link { get; init; }

    /// <summary>With --cpu-count: the count, passed on so the command marks its antagonized records with it.</summary>
    public int? AntagonistCpus { get; init; }

    public bool Started => _child != null;

    /// <summary>Runs the command to its end, terminating it if the workers stop first; returns its status and the stop reason.</summary>
    public (int Status, string Reason) Run(OomShield shield, AntagonistControl control, string label = Antagonist.Label) =>
        Start(shield, label) is { } error ? ((int)ExitCode.CommandNotStarted, error) : Wait(control);

    /// <summary>Starts the command with the pipeline's variables (and the link, if any); null, or why it could not start.</summary>
    public string? Start(OomShield shield, string label, bool announce = true)
    {
        var psi = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (string arg in command.Skip(1)) psi.ArgumentList.Add(arg);
        // Under --idle-first the command takes its phases from the link, not from a label.
        if (Link != null) psi.Environment[PhaseLink.Variable] = Link.Variable;
        else psi.Environment[RunContext.LabelVariable] = label;
        psi.Environment[RunContext.OrderVariable] = order.ToString(CultureInfo.InvariantCulture);
        psi.Environment[RunContext.RunIdVariable] = RunContext.RunId;
        if (AntagonistCpus is int count) psi.Environment[RunContext.AntagonistCpusVariable] = count.ToString(CultureInfo.InvariantCulture);
        else psi.Environment.Remove(RunContext.AntagonistCpusVariable);

        shield.Lower();
        Process child;
        try
        {
            using (OwnHugePages.Lifted())
                child = Process.Start(psi) ?? throw new Win32Exception("no process");
        }
        catch (Win32Exception e)
        {
            shield.Restore();
            string message = $"cannot start {command[0]}: {e.Message}";
            output.Say(message);
            output.Event("error", message, label: label);
            return message;
        }
        shield.Restore();
        Link?.Started();
        _child = child;
        _label = label;
        if (announce) Announce();
        return null;
    }

    private string _label = Antagonist.Label;

    /// <summary>The command event, once the meta record is written (a command started before the checks is announced after them).</summary>
    public void Announce()
    {
        // What the antagonist holds while the command measures: the same in every phase, or our
        // own footprint would show up in the difference between them.
        if (_child is { } child)
            output.Event("command", string.Join(' ', command), null,
                ResidentMemory.AddSelf(new() { ["pid"] = child.Id }, OrderPhases.MemoryPrefix), _label);
    }

    /// <summary>Waits for the started command to end, terminating it if the workers stop first.</summary>
    public (int Status, string Reason) Wait(AntagonistControl control) => Wait(() => control.StopRequested);

    /// <summary>Waits for the started command to end, terminating it once <paramref name="stopRequested"/> says so.</summary>
    public (int Status, string Reason) Wait(Func<bool> stopRequested)
    {
        Process child = _child ?? throw new InvalidOperationException("the command was not started");
        bool terminated = false;
        while (!child.WaitForExit(500))
        {
            if (stopRequested() && !terminated)
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
