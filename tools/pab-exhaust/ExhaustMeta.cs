using System.Globalization;
using Pab.Common;

namespace Pab.Exhaust;

/// <summary>pab-exhaust's meta record: the machine and the settings it ran with, written before the first iteration.</summary>
public static class ExhaustMeta
{
    public static Record Of(ExhaustSettings s, HostInfo host)
    {
        static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
        var options = new Dictionary<string, string>
        {
            ["iterations"] = N(s.Iterations),
            // Under pab-antagonize --idle-first one run measures both phases.
            ["label"] = s.Link == null ? s.Label
                : s.SkipIdle ? ExhaustSettings.AntagonizedLabel : $"{ExhaustSettings.IdleLabel},{ExhaustSettings.AntagonizedLabel}",
            ["chunk_bytes"] = N(s.ChunkBytes),
            ["mmap_bytes"] = N(s.MmapBytes),
            ["workers"] = N(s.Workers),
            ["force_touch"] = s.ForceTouch ? "true" : "false",
            ["huge_pages"] = s.HugePages ? "true" : "false",
            ["kernel_account"] = s.KernelAccount ? "true" : "false",
        };
        if (s.Order is int order) options["order"] = N(order);
        if (s.AntagonistCpus is int cpus) options["antagonist_cpus"] = N(cpus);
        if (s.MaxBytes is long max) options["max_bytes"] = N(max);
        var meta = Record.Meta(host, options);
        meta.Label = s.Link != null ? null : s.Label;
        meta.Order = s.Order;
        return meta;
    }
}
