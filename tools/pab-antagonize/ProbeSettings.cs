using Pab.Common;

namespace Pab.Antagonize;

/// <summary>
/// The high-order probe a run makes (--probe-order, --probe-count, --probe-at-rest): null fields are
/// derived from the machine once the module says its highest order (<see cref="ProbeDefaults"/>).
/// </summary>
public sealed record ProbeSettings(int? Order, int? Count, bool AtRest)
{
    /// <summary>Where the order came from: given, pagetypeinfo, hpage_pmd_size or fallback (<see cref="ProbeDefaults.PageblockOrder"/>).</summary>
    public string? OrderSource { get; init; }

    /// <summary>The count taken when MemTotal cannot be read.</summary>
    public const int FallbackCount = 64;

    /// <summary>
    /// The settings with the order and count filled in for a kernel whose highest order is <paramref name="maxOrder"/>;
    /// null and the refusal when the order given is beyond it.
    /// </summary>
    public (ProbeSettings? Settings, Refusal? Refusal) Resolve(string procRoot, string sysRoot, long pageSize, int maxOrder, long? memTotalBytes)
    {
        var (order, source) = Order is int given ? (given, "given") : ProbeDefaults.PageblockOrder(procRoot, sysRoot, pageSize, maxOrder);
        if (order > maxOrder)
            return (null, new Refusal(ExitCode.OrderRejected, $"--probe-order {order}: the kernel takes orders 0 to {maxOrder}"));
        int count = Count ?? (memTotalBytes is long total and > 0 ? ProbeDefaults.Count(order, total, pageSize) : FallbackCount);
        return (this with { Order = order, Count = count, OrderSource = source }, null);
    }
}
