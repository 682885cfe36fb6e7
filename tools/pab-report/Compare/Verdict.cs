namespace Pab.Report.Compare;

public enum Verdict
{
    /// <summary>The side others are compared against.</summary>
    Baseline,
    /// <summary>The interval of the change lies wholly above no change.</summary>
    Higher,
    /// <summary>… wholly below.</summary>
    Lower,
    /// <summary>The interval holds no change: these runs cannot tell a change from none ("~").</summary>
    NoChangeDetected,
    /// <summary>Too few runs on a side for any interval at the chosen alpha.</summary>
    TooFewRuns,
    /// <summary>One run on a side: boot-to-boot variation is not measured; only a within-run change is shown.</summary>
    OneRun,
    /// <summary>The row is missing on this side or on the baseline.</summary>
    Missing,
}
