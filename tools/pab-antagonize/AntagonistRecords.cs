using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>The records pab-antagonize writes: each labelled antagonized and carrying the run's order.</summary>
public static class AntagonistRecords
{
    public static Record Event(int order, string name, string? message = null, int? cpu = null,
        Dictionary<string, double>? details = null, string label = Antagonist.Label) => new()
    {
        Type = RecordType.Event, Event = name, Message = message, Cpu = cpu, Details = details,
        Order = order, Label = label,
    };

    public static Record Metric(int order, string name, long value, string unit, Dictionary<string, double>? details = null) => new()
    {
        Type = RecordType.Metric, Metric = name, Value = value, Unit = unit, Details = details,
        Order = order, Label = Antagonist.Label,
    };

    /// <summary>The meta record of <paramref name="order"/>: the machine and the options, so the run can be repeated.</summary>
    public static Record Meta(AntagonizeOptions o, int order, int[] cpus, HostInfo host)
    {
        var opts = new Dictionary<string, string>
        {
            ["order"] = order.ToString(CultureInfo.InvariantCulture),
            ["cpus"] = CpuList.Format(cpus),
            ["middle"] = o.Middle.ToString(CultureInfo.InvariantCulture),
            ["spread"] = o.Spread.ToString(CultureInfo.InvariantCulture),
            ["batch"] = o.Batch.ToString(CultureInfo.InvariantCulture),
            ["latencies"] = o.Latencies ? "true" : "false",
            ["samples"] = o.Samples.ToString(CultureInfo.InvariantCulture),
            ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            // The allocation modes: compare sets only runs of one mode against each other.
            ["gfp"] = AllocModes.GfpName(o.Gfp),
            ["free_on"] = AllocModes.Name(o.FreeOn),
        };
        if (o.Bulk > 0) opts["bulk"] = o.Bulk.ToString(CultureInfo.InvariantCulture);
        // What the machine decided (HoldDefaults), so compare can say when two sides' machines held differently.
        string derived = string.Join(',', new[] { o.DeriveMiddle ? "middle" : null, o.DeriveSpread ? "spread" : null }.OfType<string>());
        if (derived.Length > 0)
        {
            opts["hold_derived"] = derived;
            if (host.MemTotalBytes is long total)
                opts["hold_machine_bytes"] = HoldDefaults.MachineBytes(total).ToString(CultureInfo.InvariantCulture);
        }
        if (o.CpuCount is int count) opts["cpu_count"] = count.ToString(CultureInfo.InvariantCulture);
        if (o.Duration is TimeSpan d) opts["duration_s"] = d.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        if (o.Command.Length > 0) opts["command"] = string.Join(' ', o.Command);
        if (o.IdleFirst) opts["idle_first"] = "true";
        if (o.WaitLoaded > TimeSpan.Zero) opts["wait_loaded_s"] = o.WaitLoaded.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        opts["nice"] = o.Nice.ToString(CultureInfo.InvariantCulture);
        if (o.BallastBytes > 0) opts["test_ballast_bytes"] = o.BallastBytes.ToString(CultureInfo.InvariantCulture);
        if (o.SelftestCount is long n) opts["selftest"] = n.ToString(CultureInfo.InvariantCulture);
        if (o.Probe is { } p)
        {
            if (p.Order is int po) opts["probe_order"] = po.ToString(CultureInfo.InvariantCulture);
            if (p.OrderSource != null) opts["probe_order_source"] = p.OrderSource;
            if (p.Count is int pc) opts["probe_count"] = pc.ToString(CultureInfo.InvariantCulture);
            if (p.AtRest) opts["probe_at_rest"] = "true";
        }
        var meta = Record.Meta(host, opts);
        meta.Order = order;
        meta.Label = Antagonist.Label;
        return meta;
    }
}
