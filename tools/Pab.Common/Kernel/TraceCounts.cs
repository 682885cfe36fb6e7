using System.Globalization;
using System.Text.RegularExpressions;

namespace Pab.Common.Kernel;

/// <summary>
/// Counts of the page allocator's trace events over a phase, counted in the kernel by hist triggers (one
/// histogram per event, keyed by order; nothing streamed to userspace): mm_page_alloc_extfrag (every
/// fallback to another migratetype, and the fragmenting ones whose fallback order is below pageblock
/// order), mm_page_alloc_zone_locked and mm_page_pcpu_drain. A trigger is added as the phase begins and
/// removed as it ends, or when the process exits; one left by a run that was killed outright (SIGKILL) is
/// recognised by its exact text and removed at the next start. Where tracefs or hist triggers are absent
/// or not permitted, <see cref="Begin"/> says why once and the phase goes on without them.
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
    private bool _cleanedStale;

    public TraceCounts(string? root = null)
    {
        _events = root != null ? Path.Join(root, "events", "kmem")
            : new[] { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" }.Select(r => Path.Join(r, "events", "kmem"))
                .FirstOrDefault(d => File.Exists(Path.Join(d, Events[0].Event, "trigger")));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveAll();
    }

    /// <summary>Adds every trigger; null when counting, else why not (tracefs absent, not root, no hist triggers).</summary>
    public string? Begin()
    {
        if (_events == null) return "tracefs with the kmem events is not mounted (/sys/kernel/tracing, /sys/kernel/debug/tracing)";
        RemoveAll();
        foreach (var (ev, key) in Events)
        {
            string trigger = Path.Join(_events, ev, "trigger");
            try
            {
                if (!_cleanedStale && File.ReadAllText(trigger).Contains(Spec(key), StringComparison.Ordinal))
                    File.AppendAllText(trigger, "!" + Spec(key) + "\n"); // left by a run of ours that was killed
                File.AppendAllText(trigger, Spec(key) + "\n");
                lock (_active) _active.Add(ev);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                RemoveAll();
                return $"cannot add a hist trigger to {trigger}: {e.Message}";
            }
        }
        _cleanedStale = true;
        return null;
    }

    /// <summary>Reads every histogram and removes its trigger: event name → count; extfrag also as _fragmenting.</summary>
    public SortedDictionary<string, long>? End(int pageblockOrder)
    {
        if (_events == null || _active.Count == 0) return null;
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (ev, key) in Events)
        {
            string? text = ProcText.Read(Path.Join(_events, ev, "hist"));
            if (text == null) continue;
            var byKey = ParseHist(text, key);
            counts[ev] = byKey.Values.Sum();
            if (ev == "mm_page_alloc_extfrag")
                counts[ev + "_fragmenting"] = byKey.Where(p => p.Key < pageblockOrder).Sum(p => p.Value);
        }
        RemoveAll();
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

    private void RemoveAll()
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
