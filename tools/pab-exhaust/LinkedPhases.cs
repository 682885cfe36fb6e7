using Pab.Common;

namespace Pab.Exhaust;

/// <summary>
/// pab-exhaust's half of the phase link (under pab-antagonize --idle-first): for every order the
/// antagonist names, once its workers for it are set up and parked, the idle phase, then the
/// antagonized phase once they are at steady state; then the next order, until "end".
/// </summary>
public sealed class LinkedPhases(PhaseLink.CommandEnd link, IterationLoop loop, RecordWriter writer, TextWriter log)
{
    /// <summary>The meta record of an order's settings, written as the order begins.</summary>
    public Func<ExhaustSettings, Record>? Meta { get; init; }

    public int Run()
    {
        static bool Cancelled() => Interruption.Requested;
        while (!Cancelled())
        {
            var (order, notReady) = link.WaitForOrder(Cancelled);
            if (Cancelled()) break;
            if (notReady != null) return Failed($"pab-antagonize did not set up the next order: {notReady}");
            if (order == null) break; // "end": every order measured
            loop.StartOrder(order.Value);
            if (Meta != null) writer.Write(Meta(loop.Settings));
            loop.PrepareAccount(); // the workers are parked: no trigger goes in while they allocate
            int code = loop.Settings.SkipIdle ? 0 : loop.RunPhase(ExhaustSettings.IdleLabel);
            if (code != 0 || Cancelled()) return loop.Finish(code);
            if ((link.Send(PhaseLink.Antagonize) ?? link.WaitFor(PhaseLink.Steady, Cancelled)) is { } notSteady && !Cancelled())
                return Failed($"the antagonized phase cannot begin: {notSteady}");
            if (Cancelled()) break;
            code = loop.RunPhase(ExhaustSettings.AntagonizedLabel);
            if (code != 0 || Cancelled()) return loop.Finish(code);
            if (link.Send(PhaseLink.Next) is { } gone) return Failed($"cannot ask for the next order: {gone}");
        }
        return loop.Finish(0);
    }

    private int Failed(string message)
    {
        log.WriteLine("pab-exhaust: " + message);
        writer.Write(new Record { Type = RecordType.Event, Event = "error", Label = ExhaustSettings.AntagonizedLabel, Order = loop.Settings.Order, Message = message });
        return (int)ExitCode.SetupFailed;
    }
}
