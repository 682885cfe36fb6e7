namespace Pab.Common.Kernel;

/// <summary>
/// The /proc/vmstat counters the report and compare lead with, each with a line of meaning
/// (docs/record-format.md lists the same). Names ending in '*' stand for every counter so named.
/// </summary>
public static class VmStatHeadline
{
    public static IReadOnlyList<(string Pattern, string Meaning)> Counters { get; } =
    [
        ("allocstall_*", "direct reclaim entered by an allocation, per zone type"),
        ("compact_stall", "direct compaction entered by an allocation"),
        ("compact_fail", "direct compactions that did not give the allocation its page"),
        ("compact_success", "direct compactions that did"),
        ("compact_migrate_scanned", "pages compaction scanned for pages to move"),
        ("compact_free_scanned", "pages compaction scanned for free targets"),
        ("pgmigrate_success", "pages migrated"),
        ("pgmigrate_fail", "pages that failed to migrate"),
        ("pgscan_direct", "pages scanned by direct reclaim"),
        ("pgscan_kswapd", "pages scanned by kswapd"),
        ("pgsteal_*", "pages reclaimed (kswapd, direct, anon, file)"),
        ("pgalloc_*", "pages allocated, per zone"),
        ("pgfree", "pages freed"),
        ("thp_fault_alloc", "transparent huge pages allocated at fault"),
        ("thp_fault_fallback", "faults that wanted a huge page and took small ones"),
        ("numa_hit", "allocations satisfied on the node asked for"),
        ("numa_miss", "allocations placed on this node though another was asked for"),
        ("numa_foreign", "allocations asked of this node placed elsewhere"),
        ("oom_kill", "OOM kills"),
        ("kswapd_low_wmark_hit_quickly", "kswapd woke and found the low watermark already met"),
        ("kswapd_high_wmark_hit_quickly", "kswapd found the high watermark met before sleeping"),
        ("pageoutrun", "kswapd's reclaim passes (its wakes that did work)"),
    ];

    /// <summary>Whether a counter is in the headline set.</summary>
    public static bool Contains(string counter) => Meaning(counter) != null;

    /// <summary>The counter's meaning when it is a headline counter, else null.</summary>
    public static string? Meaning(string counter)
    {
        foreach (var (pattern, meaning) in Counters)
            if (pattern.EndsWith('*') ? counter.StartsWith(pattern[..^1], StringComparison.Ordinal) : counter == pattern)
                return meaning;
        return null;
    }
}
