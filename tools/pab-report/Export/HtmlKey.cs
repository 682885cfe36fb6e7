using OxyPlot;

namespace Pab.Report.Export;

/// <summary>The page-wide order and colour of sides, and the number of each run within its side, so every chart agrees.</summary>
internal sealed class HtmlKey
{
    // Okabe–Ito's colour-blind-safe palette, without its yellow (unreadable on white).
    private static readonly OxyColor[] Palette =
    [
        OxyColor.FromRgb(0x00, 0x72, 0xB2), OxyColor.FromRgb(0xD5, 0x5E, 0x00), OxyColor.FromRgb(0x00, 0x9E, 0x73),
        OxyColor.FromRgb(0xCC, 0x79, 0xA7), OxyColor.FromRgb(0xE6, 0x9F, 0x00), OxyColor.FromRgb(0x56, 0xB4, 0xE9),
        OxyColor.FromRgb(0x00, 0x00, 0x00),
    ];

    private readonly Dictionary<string, int> sideIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> runs = new(StringComparer.Ordinal);

    public List<string> Sides { get; } = [];

    public HtmlKey(HtmlPage page)
    {
        foreach (string side in page.Sides ?? []) AddSide(side);
        foreach (var p in page.Metrics)
            foreach (var r in p.Runs) AddRun(r.Side, r.Run);
        foreach (var p in page.Cdfs)
            foreach (var l in p.Lines) AddRun(l.Side, l.Run);
    }

    private void AddSide(string side)
    {
        if (sideIndex.ContainsKey(side)) return;
        sideIndex[side] = Sides.Count;
        Sides.Add(side);
        runs[side] = [];
    }

    private void AddRun(string side, string run)
    {
        AddSide(side);
        if (!runs[side].Contains(run)) runs[side].Add(run);
    }

    public int SideOf(string side) => sideIndex[side];

    public OxyColor Colour(string side) => Palette[SideOf(side) % Palette.Length];

    /// <summary>A side's colour; one the key does not list (a report's runs pooled) takes the first.</summary>
    public OxyColor ColourOf(string side) => sideIndex.ContainsKey(side) ? Colour(side) : Palette[0];

    /// <summary>The colour as CSS, for the HTML key.</summary>
    public string Css(string side)
    {
        var c = Colour(side);
        return $"#{c.R:x2}{c.G:x2}{c.B:x2}";
    }

    public IReadOnlyList<string> RunsOf(string side) => runs[side];

    /// <summary>The run's number within its side, from 1.</summary>
    public int Number(string side, string run) => runs[side].IndexOf(run) + 1;
}
