using System.Diagnostics;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// --idle-first from the antagonist's side: the command was started with the link while the workers
/// were set up; they stay parked (no module calls) through its idle phase, and are released when it
/// asks for the antagonized phase, which it is told has begun once they are at steady state.
/// </summary>
public sealed class IdleFirst(PhaseLink.AntagonistEnd link, AntagonistControl control, RunOutput output, int middle, int order)
{
    private volatile bool _asked;

    /// <summary>Stopwatch timestamp at which the workers were released; 0 while they are parked.</summary>
    public long ReleaseTimestamp { get; private set; }

    /// <summary>Whether the command asked for the antagonized phase (and so the workers ran).</summary>
    public bool Antagonized => _asked;

    /// <summary>Says ready, serves the command's request on a thread of its own, and waits for the command to end.</summary>
    public (int Status, string Reason) Run(WrappedCommand command)
    {
        output.Event("phase", "idle: workers pinned and parked, no module calls", null, Memory(), Antagonist.IdleLabel);
        link.Send(PhaseLink.Ready);
        var server = new Thread(Serve) { IsBackground = true, Name = "phase-link" };
        server.Start();
        var (status, reason) = command.Wait(control);
        if (!_asked) reason += "; it never asked for the antagonized phase, so nothing was antagonized";
        return (status, reason);
    }

    private void Serve()
    {
        string? word = link.Receive();
        if (word != PhaseLink.Antagonize) return; // the command ended (or spoke nonsense): Run says so
        _asked = true;
        ReleaseTimestamp = Stopwatch.GetTimestamp();
        control.Release();
        bool steady = SteadyState.Await(control, output, middle, order, ReleaseTimestamp, Memory());
        link.Send(steady ? PhaseLink.Steady : PhaseLink.Stopped);
    }

    /// <summary>How the antagonist's own memory is named in its records' details.</summary>
    public const string MemoryPrefix = "antagonist_";

    private static Dictionary<string, double> Memory() => ResidentMemory.AddSelf([], MemoryPrefix);
}
