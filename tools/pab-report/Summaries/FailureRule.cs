using System.Globalization;
using System.Runtime.CompilerServices;
using Pab.Common;
using Pab.Report.Merge;

namespace Pab.Report.Summaries;

/// <summary>
/// When the antagonist's failed allocations are a measurement and when they are a warning. Its workers run only
/// in the antagonized phase, whose fills take memory until the OOM killer ends them: an order-n allocation that
/// fails then is the allocator under that pressure. The failures of a run and order are explained by it when the
/// kernel's account of that phase shows the exhaustion (at least one OOM kill, and direct reclaim or compaction
/// entered) and they are at most <see cref="MaxRate"/> of the antagonist's allocations; otherwise they warn.
/// </summary>
public static class FailureRule
{
    /// <summary>The share of allocations that may fail under the fills' pressure before it no longer explains them.</summary>
    public const double MaxRate = 0.01;

    private static readonly ConditionalWeakTable<MergedData, KernelAccount> Accounts = new();

    /// <summary>What the kernel's account says about a run's failures at an order.</summary>
    public sealed record Finding(double Failures, double Allocations, double OomKills, double Stalls, bool Accounted)
    {
        public double Rate => Allocations > 0 ? Failures / Allocations : double.NaN;

        public bool Explained => Accounted && OomKills >= 1 && Stalls >= 1 && Rate <= MaxRate;

        public string Describe()
        {
            string rate = double.IsNaN(Rate) ? "" : $" of {UnitFormat.Count((long)Allocations)} ({(Rate * 100).ToString("0.###", CultureInfo.InvariantCulture)} %)";
            string head = $"{UnitFormat.Count((long)Failures)} failed allocation(s){rate} in the antagonized phase";
            if (!Accounted) return head + "; no kernel's account of that phase is in the records to tell whether memory pressure explains them";
            string account = $"oom_kill {OomKills:0}, allocstall + compact_stall {Stalls:0}";
            if (Explained) return $"{head}, while its fills drove memory to the OOM killer ({account}): the pressure explains them";
            return OomKills < 1 || Stalls < 1
                ? $"{head}, though the kernel's account shows no exhaustion then ({account})"
                : $"{head}: more than the {MaxRate * 100:0} % the fills' pressure explains ({account})";
        }
    }

    /// <remarks><paramref name="cpus"/>: a sweep's count, whose own antagonized phase explains its failures.</remarks>
    public static Finding Of(MergedData data, int? order, RunInfo run, double failures, int? cpus = null)
    {
        var account = Accounts.GetValue(data, KernelAccount.Of);
        double allocations = 0;
        foreach (var g in data.Groups())
            if (g.Key.Metric == Metrics.KernelPageAllocs && g.Key.Order == order && g.Key.Cpus == cpus)
                foreach (var s in g.Series)
                    if (s.Owner == run) allocations += Summary.Values([s]).Sum();
        string name = cpus is int c ? KernelAccount.SweepPhase(KernelAccount.Antagonized, c) : KernelAccount.Antagonized;
        var phase = account.Of(order ?? -1, name).FirstOrDefault(p => p.Run == run);
        if (phase == null) return new Finding(failures, allocations, 0, 0, false);
        double Get(string c) => phase.Counters.GetValueOrDefault("vmstat_" + c);
        double stalls = phase.Counters.Where(c => c.Key.StartsWith("vmstat_allocstall_", StringComparison.Ordinal)).Sum(c => c.Value) + Get("compact_stall");
        return new Finding(failures, allocations, Get("oom_kill"), stalls, true);
    }
}
