namespace Pab.Common.Kernel;

/// <summary>The switch for counting allocator events (<see cref="TraceCounts"/>): PAB_TRACE_EVENTS=1 or 0 overrides the default.</summary>
public static class TraceEvents
{
    public const string Variable = "PAB_TRACE_EVENTS";

    /// <summary>
    /// On: with the triggers added once, before the antagonist allocates, guest runs no longer hang
    /// (docs/record-format.md, "Allocator events").
    /// </summary>
    public const bool ByDefault = true;

    /// <summary>
    /// The default for a pab-exhaust run: on, but for a lone antagonized phase (no phase link), whose
    /// triggers would go in with the antagonist's workers already allocating.
    /// </summary>
    public static bool ByDefaultFor(bool linked, bool antagonized) => ByDefault && (linked || !antagonized);

    /// <summary>Whether to count: "1" yes, "0" no, anything else (unset included) the default given.</summary>
    public static bool Enabled(string? value, bool byDefault) => value switch
    {
        "1" => true,
        "0" => false,
        _ => byDefault,
    };
}
