namespace Pab.Common.Kernel;

/// <summary>The switch for counting allocator events (<see cref="TraceCounts"/>): PAB_TRACE_EVENTS=1 or 0.</summary>
public static class TraceEvents
{
    public const string Variable = "PAB_TRACE_EVENTS";

    /// <summary>Opt-in until guest runs with the triggers added once show no hang (docs/record-format.md).</summary>
    public const bool ByDefault = false;

    /// <summary>Whether to count: "1" yes, "0" no, anything else (unset included) the default given.</summary>
    public static bool Enabled(string? value, bool byDefault) => value switch
    {
        "1" => true,
        "0" => false,
        _ => byDefault,
    };
}
