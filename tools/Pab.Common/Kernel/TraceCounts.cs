using System.Globalization;
using System.Text.RegularExpressions;

namespace Pab.Common.Kernel;

/// <summary>
/// Counts of the page allocator's trace events, counted in the kernel by hist triggers (one histogram per
/// event, keyed by order; nothing streamed to userspace): mm_page_alloc_extfrag (every fallback to another
/// migratetype, and the fragmenting ones whose fallback order is below pageblock order),
/// mm_page_alloc_zone_locked and mm_page_pcpu_drain. The triggers are added once, by the first
/// <see cref="Start"/>, and removed once, by <see cref="Stop"/> or when the process exits: adding or
/// removing one patches kernel text (the event's static key), which must not happen while other CPUs
/// allocate hard (a guest hung so; docs/record-format.md). A phase's counts are the difference of two
/// <see cref="Snapshot"/>s of the cumulative histograms; reading one patches nothing. A trigger left by a
/// run killed outright (SIGKILL) is recognised by its exact text and removed at the next start. Where
/// tracefs or hist triggers are absent or not permitted, <see cref="Start"/> says why.
/// </summary>
public sealed partial class TraceCounts
{
    /// <summary>The events, and the field each histogram is keyed by. size=1024 marks the trigger as ours.</summary>
    private static readonly (string Event, string Key)[] Events =
    [
        ("mm_page_alloc_extfrag", "fallback_order"), ("mm_page_alloc_zone_locked", "order"), ("mm_page_pcpu_drain", "order"),
    ];

    /// <summary>What each count means, for the report.</summary>
    public static string? Meaning(string counter) => counter switch
    {
        "mm_page_alloc_extfrag" => "allocations that fell back to another migratetype's free list",
        "mm_page_alloc_extfrag_fragmenting" => "of those, fallbacks below pageblock order (they fragment)",
        "mm_page_alloc_zone_locked" => "per-CPU list refills that took the zone lock",
        "mm_page_pcpu_drain" => "per-CPU lists drained back to the buddy lists",
        _ => null,
    };

    private static string Spec(string key) => $"hist:keys={key}:vals=hitcount:sort=hitcount:size=1024";

    private readonly string? _events;
    private readonly List<string> _active = [];
    private bool _started;
    private string? _whyNot;

    public TraceCounts(string? root = null)
    {
        _events = root != null ? Path.Join(root, "events", "kmem")
            : new[] { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" }.Select(r => Path.Join(r, "events", "kmem"))
                .FirstOrDefault(d => File.Exists(Path.Join(d, Events[0].Event, "trigger")));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>Whether the triggers are in place (so snapshots count).</summary>
    public bool Counting { get { lock (_active) return _active.Count == Events.Length; } }

    /// <summary>
    /// Adds every trigger, the first time only (a stale one of ours removed first); null when counting,
    /// else why not (tracefs absent, not root, no hist triggers), the same answer on every later call.
    /// </summary>
    public string? Start()
    {
        if (_started) return _whyNot;
        _started = true;
        if (_events == null)
            return _whyNot = "tracefs with the kmem events is not mounted (/sys/kernel/tracing, /sys/kernel/debug/tracing)";
        foreach (var (ev, key) in Events)
        {
            string trigger = Path.Join(_events, ev, "trigger");
            try
            {
                if (File.ReadAllText(trigger).Contains(Spec(key), StringComparison.Ordinal))
                    File.AppendAllText(trigger, "!" + Spec(key) + "\n"); // left by a run of ours that was killed
                File.AppendAllText(trigger, Spec(key) + "\n");
                lock (_active) _active.Add(ev);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Stop();
                return _whyNot = $"cannot add a hist trigger to {trigger}: {e.Message}";
            }
        }
        return null;
    }

    /// <summary>Every histogram as it stands (event → key value → hits since the trigger was added); null when not counting.</summary>
    public Dictionary<string, Dictionary<long, long>>? Snapshot()
    {
        if (!Counting) return null;
        var snapshot = new Dictionary<string, Dictionary<long, long>>(StringComparer.Ordinal);
        foreach (var (ev, key) in Events)
            if (ProcText.Read(Path.Join(_events!, ev, "hist")) is { } text)
                snapshot[ev] = ParseHist(text, key);
        return snapshot;
    }

    /// <summary>
    /// The counts between two snapshots: event name → count, extfrag also as _fragmenting. A key new in the
    /// later one counts all its hits; an event missing from either has no count. A key whose hits went down
    /// (the histogram was cleared by someone else) counts what it has now, the least it can have seen.
    /// </summary>
    public static SortedDictionary<string, long> Difference(
        IReadOnlyDictionary<string, Dictionary<long, long>> before, IReadOnlyDictionary<string, Dictionary<long, long>> after, int pageblockOrder)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (ev, _) in Events)
        {
            if (!before.TryGetValue(ev, out var was) || !after.TryGetValue(ev, out var now)) continue;
            var byKey = now.ToDictionary(p => p.Key, p => p.Value >= was.GetValueOrDefault(p.Key) ? p.Value - was.GetValueOrDefault(p.Key) : p.Value);
            counts[ev] = byKey.Values.Sum();
            if (ev == "mm_page_alloc_extfrag")
                counts[ev + "_fragmenting"] = byKey.Where(p => p.Key < pageblockOrder).Sum(p => p.Value);
        }
        return counts;
    }

    [GeneratedRegex(@"^\{\s*(\w+):\s*(-?\d+)\s*\}\s*hitcount:\s*(\d+)", RegexOptions.Multiline)]
    private static partial Regex HistLine();

    /// <summary>A hist file's "{ key: value } hitcount: n" lines: key value → hits.</summary>
    public static Dictionary<long, long> ParseHist(string text, string key)
    {
        var hits = new Dictionary<long, long>();
        foreach (Match m in HistLine().Matches(text))
            if (m.Groups[1].Value == key)
            {
                long k = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                hits[k] = hits.GetValueOrDefault(k) + long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            }
        return hits;
    }

    /// <summary>Removes every trigger added (once; later calls find none): tracing is left as it was found.</summary>
    public void Stop()
    {
        lock (_active)
        {
            foreach (string ev in _active)
            {
                string key = Events.First(e => e.Event == ev).Key;
                try { File.AppendAllText(Path.Join(_events!, ev, "trigger"), "!" + Spec(key) + "\n"); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            _active.Clear();
        }
    }
}
