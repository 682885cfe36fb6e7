namespace Pab.Antagonize;

/// <summary>
/// Blocks held, integrated over Stopwatch ticks and split at the moment steady state was declared:
/// divided by the window's length it is the average a worker held, which kernel_held_bytes reports
/// and memory_available_diff_bytes subtracts.
/// </summary>
public struct HeldIntegral
{
    /// <summary>Block-ticks before steady state (all of them while it is not declared).</summary>
    public double BeforeSteady { get; private set; }
    /// <summary>Block-ticks from steady state on.</summary>
    public double AfterSteady { get; private set; }

    /// <summary>Adds <paramref name="held"/> blocks held from <paramref name="from"/> to <paramref name="to"/>; <paramref name="steady"/> is 0 before steady state.</summary>
    public void Add(int held, long from, long to, long steady)
    {
        if (steady == 0 || to <= steady)
        {
            BeforeSteady += (double)held * (to - from);
        }
        else if (from >= steady)
        {
            AfterSteady += (double)held * (to - from);
        }
        else
        {
            BeforeSteady += (double)held * (steady - from);
            AfterSteady += (double)held * (to - steady);
        }
    }
}
