using Pab.Common;

namespace Pab.Exhaust;

/// <summary>
/// The parent: handles signals, protects itself, then runs the iterations of its phase, or of every
/// phase the antagonist's link names; one record per iteration.
/// </summary>
public sealed class Parent(ExhaustSettings settings, RecordWriter writer, TextWriter log)
{
    /// <summary>The meta record of a run with these settings; under the link, written once per order.</summary>
    public Func<ExhaustSettings, Record>? Meta { get; init; }

    public int Run()
    {
        using var signals = Interruption.Handle();
        bool progress = settings.Progress || !Console.IsErrorRedirected;
        var loop = new IterationLoop(settings, writer, log, progress);
        if (settings.Link == null && Meta != null) writer.Write(Meta(settings));
        loop.WarmUp();
        ParentProtection.Apply(log);
        if (settings.Link is not { } link) return loop.Finish(loop.RunPhase(settings.Label));
        // Under pab-antagonize --idle-first this one process measures both phases of every order
        // the antagonist names; its workers for that order are set up (and parked) before the first idle fill.
        return new LinkedPhases(link, loop, writer, log) { Meta = Meta }.Run();
    }
}
