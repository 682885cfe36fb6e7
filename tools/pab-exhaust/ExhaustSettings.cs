using System.Globalization;
using System.Text.RegularExpressions;
using Pab.Common;

namespace Pab.Exhaust;

/// <summary>What one pab-exhaust run does, after the command line and the environment are resolved.</summary>
public sealed partial record ExhaustSettings
{
    public const long DefaultChunk = 256L << 10;
    public const long DefaultMmapSize = 64L << 20;
    public const int DefaultIterations = 5;
    public const string DefaultLabel = "idle";
    public const string IdleLabel = "idle", AntagonizedLabel = "antagonized";

    public int Iterations { get; init; } = DefaultIterations;
    public string Label { get; init; } = DefaultLabel;
    public int? Order { get; init; }
    public long ChunkBytes { get; init; } = DefaultChunk;
    /// <summary>Size of each mapping, a whole number of chunks.</summary>
    public long MmapBytes { get; init; } = DefaultMmapSize;
    public long? MaxBytes { get; init; }
    public bool Progress { get; init; }
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>Touch pages even where MADV_POPULATE_WRITE exists (for comparing the two).</summary>
    public bool ForceTouch { get; init; }
    /// <summary>Ask for transparent huge pages (MADV_HUGEPAGE) on every mapping.</summary>
    public bool HugePages { get; init; }
    /// <summary>Record the kernel's account (vmstat deltas, free lists) of every phase and fill; off to measure what it costs.</summary>
    public bool KernelAccount { get; init; } = true;

    /// <summary>The antagonist's CPU count (PAB_ANTAGONIST_CPUS, from pab-antagonize --cpu-count): antagonized records carry it.</summary>
    public int? AntagonistCpus { get; init; }

    /// <summary>--skip-idle: under the link, only each order's antagonized phase (a sweep measured idle at its first count).</summary>
    public bool SkipIdle { get; init; }

    /// <summary>Set under pab-antagonize --idle-first: then both phases are measured, idle first.</summary>
    public PhaseLink.CommandEnd? Link { get; init; }

    /// <summary>How far the count can be below what the child really had when it died: each worker's chunk in flight.</summary>
    public long ResolutionBytes => ChunkBytes * Workers;

    public string Metric => Metrics.AvailableBytes(Label);

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex LabelPattern();

    /// <summary>Labels become part of metric names: lower-case letters, digits and underscores.</summary>
    public static string? CheckLabel(string label, string source) =>
        LabelPattern().IsMatch(label)
            ? null
            : $"{source}: '{label}' is not a label (lower-case letter first, then letters, digits or '_'; e.g. idle, antagonized)";

    public static string? CheckOrder(int order, string source) =>
        order is >= 0 and <= RunContext.MaxOrder ? null : $"{source}: order {order} is out of range (0 to {RunContext.MaxOrder})";

    /// <summary>An order from PAB_ORDER text.</summary>
    public static (int? Order, string? Error) ParseOrderVariable(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int order))
            return (null, $"{source}: '{text}' is not an order (a whole number, 0 to {RunContext.MaxOrder})");
        return CheckOrder(order, source) is { } e ? (null, e) : (order, null);
    }

    /// <summary>PAB_ANTAGONIST_CPUS: a CPU count (1 or more), or nothing.</summary>
    public static (int? Count, string? Error) ParseCpusVariable(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
            return (null, $"{source}: '{text}' is not a CPU count (a whole number, 1 or more)");
        return (count, null);
    }

    /// <summary>Checks sizes against each other and the page size; null when fine.</summary>
    public static string? CheckSizes(long chunk, long mmapSize, long? maxBytes, long pageSize)
    {
        if (chunk < pageSize || chunk % pageSize != 0)
            return $"--chunk: {chunk} bytes is not a positive multiple of the page size ({pageSize} bytes)";
        if (mmapSize < chunk)
            return $"--mmap-size: {mmapSize} bytes is smaller than --chunk ({chunk} bytes)";
        if (maxBytes is { } m && m < pageSize)
            return $"--max-bytes: {m} bytes is less than a page ({pageSize} bytes)";
        return null;
    }

    /// <summary>Mappings are whole chunks, so no chunk straddles two of them.</summary>
    public static long RoundMmapSize(long mmapSize, long chunk) => mmapSize / chunk * chunk;
}
