using System.Globalization;
using Pab.Common;
using Pab.Common.Kernel;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>
/// "The kernel's account" of the text and Markdown report, per order: each headline /proc/vmstat counter's
/// delta over the idle and the antagonized phase (mean of runs), per GiB the phase's fills took and per second
/// of the phase; the other counters that moved, by name; free memory by block order (and migratetype) at the
/// end of each phase.
/// </summary>
public static class AccountSection
{
    private const double GiB = 1 << 30;

    public static void Write(TextWriter w, MergedData data, bool markdown, Action<TextWriter, Table> writeTable)
    {
        var account = KernelAccount.Of(data);
        if (account.IsEmpty) return;
        var failures = data.Groups().Where(g => g.Key.Metric == Metrics.KernelAllocFailures).ToList();
        foreach (int order in account.Orders)
        foreach (var (phase, cpus) in account.AntagonizedPhases(order))
        {
            var idle = account.Of(order, KernelAccount.Idle);
            var antagonized = account.Of(order, phase);
            w.WriteLine();
            int runs = Math.Max(idle.Count, antagonized.Count);
            string sweep = new GroupKey("", null, null, cpus).CpusText.Replace(" at ", ", antagonist on ", StringComparison.Ordinal);
            string title = $"The kernel's account, order {OrderText(order)}{sweep} (/proc/vmstat over each phase; mean of {runs} run{(runs == 1 ? "" : "s")})";
            w.WriteLine(markdown ? "### " + title + "\n" : title);
            var table = CounterTable(account, order, idle, antagonized, out var others);
            if (table.Count > 0) writeTable(w, table);
            else w.WriteLine("(no headline counter moved)");
            if (others.Count > 0)
                w.WriteLine((markdown ? "\n" : "") + "Also moved: " + string.Join(", ", others.Select(Short)) + ".");
            foreach (var g in failures.Where(g => g.Key.Order == order && g.Key.Cpus == cpus))
                foreach (var s in g.Series)
                    if (Summary.Values([s]).Sum() is > 0 and var n)
                        w.WriteLine((markdown ? "\n" : "") + $"Failures{(data.Runs.Count > 1 ? " in run " + s.Owner.Id : "")}: " + FailureRule.Of(data, order, s.Owner, n, cpus).Describe() + ".");
            var free = FreeTable(idle, antagonized);
            if (free.Count > 0)
            {
                w.WriteLine();
                string freeTitle = "Free memory by block order at the end of each phase (MiB)";
                w.WriteLine(markdown ? "#### " + freeTitle + "\n" : freeTitle);
                writeTable(w, free);
            }
        }
    }

    private static string OrderText(int order) => order < 0 ? "-" : order.ToString(CultureInfo.InvariantCulture);

    private static Table CounterTable(KernelAccount account, int order, IReadOnlyList<PhaseAccountRun> idle,
        IReadOnlyList<PhaseAccountRun> antagonized, out List<string> others)
    {
        var table = new Table("counter", "idle", "antagonized", "idle /GiB filled", "antagonized /GiB filled", "antagonized /s", "meaning");
        foreach (int c in new[] { 1, 2, 3, 4, 5 }) table.RightAligned.Add(c);
        others = [];
        foreach (string counter in account.CountersOf(order))
        {
            if (!KernelAccount.IsHeadline(counter))
            {
                others.Add(counter);
                continue;
            }
            string name = Short(counter);
            table.Add(name,
                Number(KernelAccount.Mean(idle, counter)), Number(KernelAccount.Mean(antagonized, counter)),
                Number(KernelAccount.Mean(idle, counter, r => r.FilledBytes / GiB)),
                Number(KernelAccount.Mean(antagonized, counter, r => r.FilledBytes / GiB)),
                Number(KernelAccount.Mean(antagonized, counter, r => r.DurationSeconds)),
                VmStatHeadline.Meaning(name) ?? (name.StartsWith(AccountMetrics.TracePrefix, StringComparison.Ordinal) ? "event: " + TraceCounts.Meaning(name[AccountMetrics.TracePrefix.Length..]) : ""));
        }
        return table;
    }

    private static Table FreeTable(IReadOnlyList<PhaseAccountRun> idle, IReadOnlyList<PhaseAccountRun> antagonized)
    {
        int max = Math.Max(KernelAccount.MaxBlockOrder(idle), KernelAccount.MaxBlockOrder(antagonized));
        var types = KernelAccount.MigrateTypes(antagonized.Concat(idle));
        var header = new List<string> { "block order", "idle", "antagonized" };
        header.AddRange(types.Select(t => "antagonized " + t));
        var table = new Table([.. header]);
        for (int c = 1; c < header.Count; c++) table.RightAligned.Add(c);
        for (int k = 0; k <= max; k++)
        {
            var row = new List<string>
            {
                k.ToString(CultureInfo.InvariantCulture), MiB(KernelAccount.FreeBytes(idle, k)), MiB(KernelAccount.FreeBytes(antagonized, k)),
            };
            row.AddRange(types.Select(t => MiB(KernelAccount.FreeBytes(antagonized, k, t))));
            table.Add([.. row]);
        }
        return table;
    }

    /// <summary>vmstat_compact_stall → compact_stall: the section's title says where counters come from.</summary>
    private static string Short(string counter) =>
        counter.StartsWith(AccountMetrics.VmStatPrefix, StringComparison.Ordinal) ? counter[AccountMetrics.VmStatPrefix.Length..] : counter;

    private static string MiB(double bytes) => double.IsNaN(bytes) ? "-" : (bytes / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>Counts as a kernel developer reads them: whole where large, three digits where small.</summary>
    public static string Number(double v) =>
        double.IsNaN(v) ? "-" : Math.Abs(v) >= 100 || v == Math.Floor(v) ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);
}
