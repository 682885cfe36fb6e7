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

    private static Dictionary<string, double> Memory()
    {
        var d = new Dictionary<string, double>();
        ResidentMemory.Read()?.AddTo(d, "antagonist_");
        return d;
    }
}

/// <summary>Waiting for every worker to have held the middle once, and saying so in the `steady` event.</summary>
public static class SteadyState
{
    /// <summary>Blocks until steady state or a stop; true at steady state, which is then declared and recorded.</summary>
    public static bool Await(AntagonistControl control, RunOutput output, int middle, int order, long startTs,
        Dictionary<string, double>? details = null)
    {
        while (!control.AllReachedMiddle && !control.StopRequested)
            control.WaitForSteadyOrStop(TimeSpan.FromSeconds(1));
        if (!control.AllReachedMiddle || control.StopRequested) return false;
        long steadyTs = Stopwatch.GetTimestamp();
        control.DeclareSteady(steadyTs);
        details ??= [];
        details["time_to_steady_s"] = Stopwatch.GetElapsedTime(startTs, steadyTs).TotalSeconds;
        output.Event("steady", $"all {control.Workers} workers held {middle} blocks of order {order} at least once", null, details);
        return true;
    }
}
