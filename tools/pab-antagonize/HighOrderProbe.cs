using Pab.Common;
using Pab.Common.Kernel;

namespace Pab.Antagonize;

/// <summary>
/// Runs the module's high-order probe in both modes, without compaction first (so the compacting mode's work
/// does not feed it), reading the free lists just before each, and writes its records.
/// </summary>
public sealed class HighOrderProbe(ModuleClient client, int probeOrder, int count, RunOutput output, string procRoot = "/proc")
{
    // Made once, before anything is measured: the probes at the phases' ends then allocate nothing that
    // could make our own footprint differ between phases.
    private readonly long[] _latencies = new long[count];

    public int ProbeOrder => probeOrder;
    public int Count => count;

    /// <summary>Probes at the end of <paramref name="phase"/>; 0, or the exit code when a call failed (said and recorded).</summary>
    public int Run(string phase, int order)
    {
        var latencies = _latencies;
        foreach (var (name, mode) in ProbeRecords.Modes)
        {
            long? free = ProcText.Read(Path.Combine(procRoot, "buddyinfo")) is { } bi
                ? ProbeDefaults.FreeBlocks(FreeLists.ParseBuddyInfo(bi), probeOrder) : null;
            PabProbe r;
            try { r = client.Probe(probeOrder, mode, latencies); }
            catch (ModuleException e)
            {
                return output.Fail(new Refusal(ExitCode.ModuleCallFailed, $"{phase} probe, {name}, order {probeOrder}: {e.Message}"));
            }
            var outcome = new ProbeOutcome(name, probeOrder, r.Attempts, r.Successes, r.ElapsedNs, r.Attempts == latencies.Length ? latencies : latencies[..(int)r.Attempts], free);
            foreach (var record in ProbeRecords.Of(phase, order, Environment.SystemPageSize, outcome)) output.Write(record);
            output.Say(ProbeRecords.Say(phase, order, outcome));
        }
        return 0;
    }
}
