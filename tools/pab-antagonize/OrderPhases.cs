using System.Diagnostics;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// Both phases of every order, for the command on the link (--idle-first): for each order in turn
/// the workers are set up and stay parked (no module calls) through its idle phase, are released
/// when it asks for the antagonized phase (it is told once they are at steady state), and are stopped,
/// with that order's results written, when it asks for the next order.
/// </summary>
public sealed class OrderPhases(PhaseLink.AntagonistEnd link, RunOutput output, AntagonizeOptions options)
{
    private volatile OrderWorkers? _current;
    private volatile bool _failed;
    private int _exit;

    /// <summary>Sets up one order's workers (parked); null and the exit code when they could not be.</summary>
    public required Func<int, (OrderWorkers? Workers, int Exit)> Start { get; init; }

    /// <summary>Begins an order after the first (which has begun already): its meta record.</summary>
    public required Action<int> BeginOrder { get; init; }

    /// <summary>The middle each order's workers hold (derived per order unless --middle was given).</summary>
    public Func<int, int>? MiddleOf { get; init; }

    /// <summary>The high-order probe, run at the end of each phase of each order (and at rest if asked); null: none.</summary>
    public HighOrderProbe? Probe { get; init; }

    /// <summary>Also probe once the workers have freed everything (--probe-at-rest).</summary>
    public bool ProbeAtRest { get; init; }

    /// <summary>Whether the command asked for an antagonized phase (and so some workers ran).</summary>
    public bool Antagonized { get; private set; }

    /// <summary>Serves the orders on a thread of its own and waits for the command to end; its status, the reason, and our own exit code (0 unless something of ours failed).</summary>
    public (int Status, string Reason, int Exit) Run(WrappedCommand command)
    {
        var server = new Thread(Serve) { IsBackground = true, Name = "phase-link" };
        server.Start();
        // A worker that fails stops the command: it would no longer be measured antagonized.
        var (status, reason) = command.Wait(() => _failed || _current?.Control.StopRequested == true);
        server.Join();
        if (!Antagonized) reason += "; it never asked for the antagonized phase, so nothing was antagonized";
        return (status, reason, _exit);
    }

    private void Serve()
    {
        for (int i = 0; i < options.Orders.Length; i++)
        {
            int order = options.Orders[i];
            if (i > 0) BeginOrder(order);
            var (workers, exit) = Start(order);
            if (workers == null || exit != 0)
            {
                workers?.Stop("set-up failed", 0, false);
                workers?.Dispose();
                Fail(exit);
                return;
            }
            _current = workers;
            // A full collection now, with the last order's workers gone: the heap, and what the
            // runtime keeps for a collection, are then the same in both phases of this order.
            // The large object heap too: the last order's samples were written from it.
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            // Code touched only while starting up leaves, as the first fill would make it leave:
            // what we hold is then the same at the start of both phases.
            ExecutablePages.Release();
            output.Event("phase", $"idle: workers for order {order} pinned and parked, no module calls", null, Memory(), Antagonist.IdleLabel);
            link.Send(PhaseLink.ReadyFor(order));
            string? word = link.Receive();
            bool asked = word == PhaseLink.Antagonize;
            long releaseTs = 0;
            if (asked && Probe?.Run(Antagonist.IdleLabel, order) is int idleExit and not 0)
            {
                // Stopped as a failure: the antagonized phase is not started for the command.
                _current = null;
                workers.Stop("the idle probe failed", 0, false);
                workers.Dispose();
                Fail(idleExit);
                return;
            }
            if (asked)
            {
                Antagonized = true;
                releaseTs = Stopwatch.GetTimestamp();
                workers.Control.Release();
                bool steady = SteadyState.Await(workers.Control, output, MiddleOf?.Invoke(order) ?? options.Middle, order, releaseTs, Memory());
                link.Send(steady ? PhaseLink.Steady : PhaseLink.Stopped);
                word = link.Receive();
            }
            bool next = word == PhaseLink.Next;
            _current = null; // stopping them is not a failure the command must be stopped for
            // The probe sees the antagonized phase's memory only if the workers ran it to its end.
            bool probe = Probe != null && asked && !workers.Control.StopRequested;
            exit = workers.Stop(next ? $"the command measured order {order}" : "the command ended", releaseTs, asked,
                probe ? () => Probe!.Run(Antagonist.Label, order) : null,
                probe && ProbeAtRest ? () => Probe!.Run(ProbeRecords.RestLabel, order) : null);
            workers.Dispose();
            if (exit != 0)
            {
                Fail(exit);
                return;
            }
            if (!next) return;
        }
        link.Send(PhaseLink.End);
    }

    private void Fail(int exit)
    {
        _exit = exit;
        _failed = true;
        link.Send(PhaseLink.Stopped);
    }

    /// <summary>How the antagonist's own memory is named in its records' details.</summary>
    public const string MemoryPrefix = "antagonist_";

    private static Dictionary<string, double> Memory() => ResidentMemory.AddSelf([], MemoryPrefix);
}
