namespace Pab.Antagonize;

/// <summary>What one pab-antagonize run was asked to do, after the command line is checked.</summary>
/// <param name="Orders">Every order to measure, in turn: more than one only under --idle-first.</param>
public sealed record AntagonizeOptions(
    int[] Orders, string? Cpus, int Middle, int Spread, int Batch, bool Latencies, int Samples,
    TimeSpan? Duration, ulong Seed, string[] Command, long? SelftestCount = null, bool NoHoldLimit = false,
    bool IdleFirst = false, long BallastBytes = 0, int Nice = AntagonizeOptions.DefaultNice)
{
    /// <summary>GFP mode of every allocation (Abi.GfpKernel, GfpAtomic, GfpNoretry; --gfp).</summary>
    public uint Gfp { get; init; } = Pab.Common.Abi.GfpKernel;

    /// <summary>Pages per alloc_pages_bulk() call (--bulk); 0: alloc_pages() per block.</summary>
    public int Bulk { get; init; }

    /// <summary>Which CPU frees each block (--free-on).</summary>
    public FreeOn FreeOn { get; init; } = FreeOn.Same;

    /// <summary>Whether any mode beyond the original's (GFP_KERNEL, alloc_pages, freed where allocated) was asked for.</summary>
    public bool AnyMode => Gfp != Pab.Common.Abi.GfpKernel || Bulk > 0 || FreeOn != FreeOn.Same;

    /// <summary>The mode flags given, as typed, for messages.</summary>
    public string ModeFlags => string.Join(' ', new[]
    {
        Gfp != Pab.Common.Abi.GfpKernel ? $"--gfp {AllocModes.GfpName(Gfp)}" : null,
        Bulk > 0 ? $"--bulk {Bulk}" : null,
        FreeOn != FreeOn.Same ? $"--free-on {AllocModes.Name(FreeOn)}" : null,
    }.OfType<string>());

    /// <summary>Where to name the order being measured as each begins (--order-file); null: nowhere.</summary>
    public string? OrderFile { get; init; }

    /// <summary>--cpu-count: the first N online CPUs, and every record marked with N; null: --cpus or every online CPU.</summary>
    public int? CpuCount { get; init; }

    /// <summary>How long to wait for the module to be loaded before the checks (a pipeline loading it meanwhile); zero: not at all.</summary>
    public TimeSpan WaitLoaded { get; init; }

    /// <summary>
    /// The workers' niceness: a fill sharing a CPU with a worker gets about three quarters of it, so
    /// the antagonized fills are not slowed by CPU starvation, and the workers still allocate on every CPU.
    /// </summary>
    public const int DefaultNice = 5;

    /// <summary>The high-order probe at each phase's end (--probe-order); null: none.</summary>
    public ProbeSettings? Probe { get; init; }

    /// <summary>--middle was not given: it is derived from the machine for each order (<see cref="HoldDefaults"/>).</summary>
    public bool DeriveMiddle { get; init; }

    /// <summary>--spread was not given: derived like the middle.</summary>
    public bool DeriveSpread { get; init; }

    /// <summary>
    /// The options for one order on <paramref name="cpus"/> CPUs: what --middle and --spread did not
    /// say, derived from the machine's memory (MemTotal; unknown: the largest default).
    /// </summary>
    public AntagonizeOptions ForOrder(int order, int cpus, long? memTotalBytes, long pageSize)
    {
        if (!DeriveMiddle && !DeriveSpread) return this;
        int blocks = memTotalBytes is long total and > 0 ? HoldDefaults.Blocks(order, cpus, total, pageSize) : HoldDefaults.MaxMiddle;
        return this with { Middle = DeriveMiddle ? blocks : Middle, Spread = DeriveSpread ? blocks : Spread };
    }

    /// <summary>Blocks each selftest thread allocates before freeing them (the module's limit per call).</summary>
    public int SelftestHold => Math.Clamp(Middle, 1, Pab.Common.Abi.BatchMax);
}
