using Pab.Common;

namespace Pab.Antagonize;

/// <summary>Which CPU frees a block: the one that allocated it, or its partner (--free-on).</summary>
public enum FreeOn
{
    Same,
    Other,
}

/// <summary>
/// The antagonist's allocation modes (--gfp, --bulk, --free-on): their names on the command line and in
/// the meta record, and the module's numbers. The GFP flags each stands for are in kmod/page_alloc_bench.h.
/// </summary>
public static class AllocModes
{
    /// <summary>--gfp's names, in the module's order (Abi.GfpKernel, GfpAtomic, GfpNoretry).</summary>
    public static readonly string[] GfpNames = ["kernel", "atomic", "noretry"];

    public static readonly string[] FreeOnNames = ["same", "other"];

    public static string GfpName(uint gfp) => GfpNames[gfp];

    public static string Name(FreeOn f) => FreeOnNames[(int)f];

    /// <summary>The worker that frees blocks allocated by worker <paramref name="index"/> of <paramref name="count"/> under --free-on other.</summary>
    public static int PartnerOf(int index, int count) => (index + 1) % count;

    /// <summary>Whether the settings need QUEUE_ALLOC_MODE rather than the plain queue call.</summary>
    public static bool NeedsModeCall(uint gfp, int bulk) => gfp != Abi.GfpKernel || bulk > 0;
}
