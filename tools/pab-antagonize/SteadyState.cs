using System.Diagnostics;

namespace Pab.Antagonize;

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
