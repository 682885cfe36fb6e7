using Pab.Common.Kernel;
using Pab.Report.Merge;

namespace Pab.Report.Summaries;

/// <summary>One phase of one run, as the kernel accounted it: its counters' deltas, its fills' bytes and time, its free lists at the end.</summary>
public sealed class PhaseAccountRun(RunInfo run)
{
    public RunInfo Run { get; } = run;
    /// <summary>vmstat counter → delta over the phase; a counter the run measured that did not move is 0.</summary>
    public Dictionary<string, double> Counters { get; } = new(StringComparer.Ordinal);
    public double FilledBytes { get; set; }
    public double DurationSeconds { get; set; }
    /// <summary>The details of the phase's free_bytes_end record (o{k}_bytes, n0_dma32_movable_o4_blocks …), when recorded.</summary>
    public IReadOnlyDictionary<string, double>? FreeAtEnd { get; set; }
    public IReadOnlyDictionary<string, double>? FreeAtStart { get; set; }
}

/// <summary>
/// The kernel's account of every order and phase (docs/record-format.md): per run, the /proc/vmstat counters
/// that moved and the free lists; a phase counts as measured in a run when any of its account records is there,
/// and then a counter it lacks did not move (0), as pab-exhaust writes only those that did.
/// </summary>
public sealed class KernelAccount
{
    public const string Idle = "idle", Antagonized = "antagonized";

    /// <summary>(order, phase) → the runs that measured it.</summary>
    public SortedDictionary<(int Order, string Phase), List<PhaseAccountRun>> Phases { get; } = new();

    public bool IsEmpty => Phases.Count == 0;

    /// <summary>A CPU-count sweep's phase at one count: "antagonized@4cpus".</summary>
    public static string SweepPhase(string phase, int cpus) => $"{phase}@{cpus.ToString(System.Globalization.CultureInfo.InvariantCulture)}cpus";

    /// <summary>"antagonized@4cpus" → ("antagonized", 4); any other phase as it is, without a count.</summary>
    public static (string Phase, int? Cpus) SplitSweepPhase(string phase)
    {
        int at = phase.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (phase, null)
            : (phase[..at], int.Parse(phase[(at + 1)..^"cpus".Length], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The antagonized phases of an order: "antagonized", or in a sweep one per CPU count (by count), each with its count.</summary>
    public IReadOnlyList<(string Phase, int? Cpus)> AntagonizedPhases(int order)
    {
        var sweep = Phases.Keys.Where(k => k.Order == order && k.Phase.StartsWith(Antagonized + "@", StringComparison.Ordinal))
            .Select(k => (k.Phase, SplitSweepPhase(k.Phase).Cpus))
            .OrderBy(p => p.Cpus).ToList();
        return Phases.ContainsKey((order, Antagonized)) || sweep.Count == 0 ? [(Antagonized, null), .. sweep] : sweep;
    }

    public IEnumerable<int> Orders => Phases.Keys.Select(k => k.Order).Distinct();

    public IReadOnlyList<PhaseAccountRun> Of(int order, string phase) => Phases.GetValueOrDefault((order, phase)) ?? [];

    public static KernelAccount Of(MergedData data)
    {
        var account = new KernelAccount();
        var byRun = new Dictionary<(int, string, RunInfo), PhaseAccountRun>();
        PhaseAccountRun Get(int order, string phase, RunInfo run)
        {
            if (byRun.TryGetValue((order, phase, run), out var p)) return p;
            p = byRun[(order, phase, run)] = new PhaseAccountRun(run);
            if (!account.Phases.TryGetValue((order, phase), out var list)) account.Phases[(order, phase)] = list = [];
            list.Add(p);
            return p;
        }
        foreach (var (key, runs) in data.AccountGroupsByRun())
        {
            if (!AccountMetrics.TrySplit(key.Metric, out string phase, out string name)) continue;
            // A sweep's antagonized phases, one per CPU count, are phases of their own.
            if (key.Cpus is int cpus) phase = SweepPhase(phase, cpus);
            int order = key.Order ?? -1;
            foreach (var r in runs)
            {
                var phaseRun = Get(order, phase, r.Run);
                foreach (var s in r.Series)
                    foreach (var c in s.Items)
                    {
                        var d = c.Header.Details;
                        if (name.StartsWith(AccountMetrics.VmStatPrefix, StringComparison.Ordinal) || name.StartsWith(AccountMetrics.TracePrefix, StringComparison.Ordinal))
                        {
                            phaseRun.Counters[name] = phaseRun.Counters.GetValueOrDefault(name) + c.Values[0];
                            if (d?.GetValueOrDefault("filled_bytes") is > 0 and var f) phaseRun.FilledBytes = f;
                            if (d?.GetValueOrDefault("duration_s") is > 0 and var t) phaseRun.DurationSeconds = t;
                        }
                        else if (name == "free_bytes_end") phaseRun.FreeAtEnd = d;
                        else if (name == "free_bytes_start") phaseRun.FreeAtStart = d;
                    }
            }
        }
        return account;
    }

    /// <summary>Every counter that moved in any run of the order's phases, the headline set first (in its order), then the rest by name.</summary>
    public IReadOnlyList<string> CountersOf(int order)
    {
        var names = Phases.Where(p => p.Key.Order == order).SelectMany(p => p.Value).SelectMany(r => r.Counters.Keys).Distinct().ToList();
        return names.OrderBy(n => HeadlineRank(n)).ThenBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>The counter's place in the headline set; past its end when it is not there.</summary>
    public static int HeadlineRank(string counter)
    {
        if (!counter.StartsWith(AccountMetrics.VmStatPrefix, StringComparison.Ordinal))
            return counter.StartsWith(AccountMetrics.TracePrefix, StringComparison.Ordinal) ? VmStatHeadline.Counters.Count : int.MaxValue;
        string name = counter[AccountMetrics.VmStatPrefix.Length..];
        for (int i = 0; i < VmStatHeadline.Counters.Count; i++)
        {
            string pattern = VmStatHeadline.Counters[i].Pattern;
            if (pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern) return i;
        }
        return int.MaxValue;
    }

    public static bool IsHeadline(string counter) => HeadlineRank(counter) <= VmStatHeadline.Counters.Count;

    /// <summary>The mean over the phase's runs of a counter's delta (0 in runs where it did not move).</summary>
    public static double Mean(IReadOnlyList<PhaseAccountRun> runs, string counter, Func<PhaseAccountRun, double>? per = null) =>
        runs.Count == 0 ? double.NaN : runs.Average(r =>
        {
            double v = r.Counters.GetValueOrDefault(counter);
            if (per == null) return v;
            double d = per(r);
            return d > 0 ? v / d : double.NaN;
        });

    /// <summary>Free bytes in blocks of order k at the phase's end, mean over runs (NaN when not recorded).</summary>
    public static double FreeBytes(IReadOnlyList<PhaseAccountRun> runs, int k, string? migrateType = null)
    {
        var with = runs.Where(r => r.FreeAtEnd != null).ToList();
        if (with.Count == 0) return double.NaN;
        return with.Average(r => migrateType == null ? r.FreeAtEnd!.GetValueOrDefault($"o{k}_bytes") : ByType(r.FreeAtEnd!, k, migrateType));
    }

    /// <summary>Bytes of order-k blocks of one migratetype, over zones: its blocks × the bytes of an order-k block (from o{k}_bytes over all its blocks).</summary>
    private static double ByType(IReadOnlyDictionary<string, double> d, int k, string type)
    {
        string suffix = $"_o{k}_blocks";
        double all = 0, ofType = 0;
        foreach (var (name, v) in d)
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                all += v;
                if (name[..^suffix.Length].EndsWith("_" + type, StringComparison.Ordinal)) ofType += v;
            }
        return all == 0 ? 0 : d.GetValueOrDefault($"o{k}_bytes") / all * ofType;
    }

    /// <summary>The migratetypes the free lists at the end name (lower case), in pagetypeinfo's order.</summary>
    public static IReadOnlyList<string> MigrateTypes(IEnumerable<PhaseAccountRun> runs)
    {
        string[] known = ["unmovable", "movable", "reclaimable", "highatomic", "cma", "isolate"];
        var seen = runs.Where(r => r.FreeAtEnd != null).SelectMany(r => r.FreeAtEnd!.Keys)
            .Where(k => k.EndsWith("_blocks", StringComparison.Ordinal) && !k.EndsWith("_pageblocks", StringComparison.Ordinal)).ToList();
        return known.Where(t => seen.Any(k => k.Contains("_" + t + "_o", StringComparison.Ordinal))).ToList();
    }

    /// <summary>The highest block order the free lists name (10 on x86-64).</summary>
    public static int MaxBlockOrder(IEnumerable<PhaseAccountRun> runs)
    {
        int max = -1;
        foreach (var r in runs)
            if (r.FreeAtEnd != null)
                for (int k = 0; k < 32; k++)
                    if (r.FreeAtEnd.ContainsKey($"o{k}_bytes")) max = Math.Max(max, k);
        return max;
    }
}
