using System.Globalization;
using Perfolizer;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pab.Report.Export;

namespace Pab.Report;

/// <summary>One side of a comparison: a name and the files of its runs.</summary>
public sealed record Side(string Name, IReadOnlyList<InputSource> Sources)
{
    /// <summary>
    /// Parses <c>[NAME=]PATH[,PATH…]</c>: files separated by commas (a directory stands for its *.jsonl and *.json files),
    /// named NAME or else after the first path.
    /// </summary>
    public static Side Parse(string arg, out string? error)
    {
        error = null;
        string name = "", list = arg;
        int eq = arg.IndexOf('=');
        if (eq > 0 && !File.Exists(arg)) { name = arg[..eq]; list = arg[(eq + 1)..]; }
        var sources = new List<InputSource>();
        foreach (string path in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Directory.Exists(path))
            {
                var files = Directory.GetFiles(path, "*.jsonl").Concat(Directory.GetFiles(path, "*.json")).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) { error = $"'{path}' holds no *.jsonl or *.json file"; break; }
                sources.AddRange(files.Select(InputSource.FromArgument));
            }
            else if (path == "-" || File.Exists(path)) sources.Add(InputSource.FromArgument(path));
            else { error = $"'{path}' does not exist"; break; }
        }
        if (error == null && sources.Count == 0) error = $"'{arg}' names no file";
        if (name.Length == 0) name = sources.Count > 0 ? Path.GetFileNameWithoutExtension(sources[0].Name) + (sources.Count > 1 ? $"+{sources.Count - 1}" : "") : arg;
        return new Side(name, sources);
    }
}

/// <summary>What compare writes.</summary>
public enum CompareFormat { Text, Markdown }

public enum Verdict { NoSignificantChange, SignificantlyHigher, SignificantlyLower, TooFewValues, Missing }

public sealed record SideResult(string Name, Summary? Summary, double Change, double PValue, Verdict Verdict);

public sealed record ComparisonRow(GroupKey Key, string Unit, IReadOnlyList<SideResult> Sides);

/// <summary>
/// Compares each metric and order of any number of sides against the first (the baseline), like mmtests'
/// compare-kernels: a two-sided Mann-Whitney U test (Perfolizer) decides significance, and a change must
/// also be at least <see cref="MinChange"/> of the baseline's median to count.
/// </summary>
public sealed class Comparison
{
    /// <summary>
    /// Perfolizer 0.3.17's Mann-Whitney p-values agree with the textbook normal approximation up to about 500 values a side
    /// and go wrong from about 700 (its CDF overflows); larger samples are tested on a seeded uniform subsample of this size.
    /// </summary>
    public const int MaxTestValues = 500;
    public const int MinValues = 3;

    public double Alpha { get; init; } = 0.05;
    public double MinChange { get; init; } = 0.01;

    public List<ComparisonRow> Rows { get; } = [];
    public List<string> SideNames { get; } = [];
    /// <summary>One line per side: its files, runs and machine.</summary>
    public List<string> SideInfo { get; } = [];

    public static Comparison Run(IReadOnlyList<MergedData> sides, IReadOnlyList<string> names, double alpha, double minChange)
    {
        var cmp = new Comparison { Alpha = alpha, MinChange = minChange };
        cmp.SideNames.AddRange(names);
        var groups = sides.Select(s => s.Groups().ToDictionary(g => g.Key, g => g.Series)).ToList();
        var keys = groups.SelectMany(g => g.Keys).Distinct().Order().ToList();
        foreach (var key in keys)
        {
            string unit = groups.Select(g => g.GetValueOrDefault(key)).First(s => s != null)![0].Unit;
            double[]? baseValues = groups[0].TryGetValue(key, out var b) ? Summary.Values(b) : null;
            var baseSummary = baseValues != null ? Summary.Of((double[])baseValues.Clone()) : null;
            var results = new List<SideResult> { new(names[0], baseSummary, double.NaN, double.NaN, baseSummary == null ? Verdict.Missing : Verdict.NoSignificantChange) };
            for (int i = 1; i < sides.Count; i++)
            {
                if (!groups[i].TryGetValue(key, out var series) || baseValues == null)
                {
                    var only = series != null ? Summary.Of(series) : null;
                    results.Add(new SideResult(names[i], only, double.NaN, double.NaN, Verdict.Missing));
                    continue;
                }
                double[] values = Summary.Values(series);
                var summary = Summary.Of((double[])values.Clone());
                results.Add(cmp.Test(names[i], baseValues, baseSummary!, values, summary));
            }
            cmp.Rows.Add(new ComparisonRow(key, unit, results));
        }
        return cmp;
    }

    public SideResult Test(string name, double[] baseline, Summary baseSummary, double[] other, Summary summary)
    {
        double change = baseSummary.Median != 0 ? (summary.Median - baseSummary.Median) / Math.Abs(baseSummary.Median)
            : summary.Median == 0 ? 0 : double.PositiveInfinity * Math.Sign(summary.Median);
        if (baseline.Length < MinValues || other.Length < MinValues)
            return new SideResult(name, summary, change, double.NaN, Verdict.TooFewValues);
        double p = PValue(baseline, other);
        bool significant = p < Alpha && Math.Abs(change) >= MinChange;
        var verdict = !significant ? Verdict.NoSignificantChange : change > 0 ? Verdict.SignificantlyHigher : Verdict.SignificantlyLower;
        return new SideResult(name, summary, change, p, verdict);
    }

    /// <summary>Two-sided Mann-Whitney U p-value; identical constant samples give 1.</summary>
    public static double PValue(double[] x, double[] y)
    {
        x = Subsample(x, 1);
        y = Subsample(y, 2);
        if (x.Distinct().Count() == 1 && y.Distinct().Count() == 1 && x[0] == y[0]) return 1;
        var result = MannWhitneyTest.Instance.Perform(new Sample(x), new Sample(y), AlternativeHypothesis.TwoSides, Threshold.Zero);
        double p = result.PValue.Value;
        return double.IsNaN(p) ? 1 : p;
    }

    // A fixed seed keeps reports reproducible; the subsample stays uniform.
    private static double[] Subsample(double[] values, int seed)
    {
        if (values.Length <= MaxTestValues) return values;
        var rng = new Random(seed);
        var copy = (double[])values.Clone();
        for (int i = 0; i < MaxTestValues; i++)
        {
            int j = rng.Next(i, copy.Length);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy[..MaxTestValues];
    }

    public static string Describe(Verdict v) => v switch
    {
        Verdict.NoSignificantChange => "no significant change",
        Verdict.SignificantlyHigher => "significantly higher",
        Verdict.SignificantlyLower => "significantly lower",
        Verdict.TooFewValues => "too few values to tell",
        _ => "missing on one side",
    };

    public void Write(TextWriter w, bool markdown)
    {
        var table = new Table("metric", "order", "side", "values", "median", "mean ± σ", "min … max", "change", "p", "verdict");
        foreach (int c in new[] { 3, 4, 5, 6, 7, 8 }) table.RightAligned.Add(c);
        foreach (var row in Rows)
        {
            bool first = true;
            foreach (var side in row.Sides)
            {
                var s = side.Summary;
                string F(double v) => UnitFormat.Format(v, row.Unit);
                bool baseline = first;
                table.Add(first ? (row.Key.Label is { } l ? $"{row.Key.Metric} [{l}]" : row.Key.Metric) : "",
                    first ? row.Key.Order?.ToString(CultureInfo.InvariantCulture) ?? "-" : "",
                    side.Name,
                    s != null ? UnitFormat.Count(s.Count) : "-",
                    s != null ? F(s.Median) : "-",
                    s != null ? $"{F(s.Mean)} ± {F(s.StdDev)}" : "-",
                    s != null ? $"{F(s.Min)} … {F(s.Max)}" : "-",
                    baseline ? "(base)" : UnitFormat.Percent(side.Change),
                    baseline || double.IsNaN(side.PValue) ? "" : side.PValue < 0.001 ? "<0.001" : side.PValue.ToString("0.000", CultureInfo.InvariantCulture),
                    baseline ? "" : Describe(side.Verdict));
                first = false;
            }
        }
        if (markdown)
        {
            w.WriteLine("## page-alloc-bench comparison\n");
            foreach (string info in SideInfo) w.WriteLine("- " + info);
            if (SideInfo.Count > 0) w.WriteLine();
            table.WriteMarkdown(w);
            w.WriteLine();
        }
        else
        {
            foreach (string info in SideInfo) w.WriteLine(info);
            if (SideInfo.Count > 0) w.WriteLine();
            table.WriteText(w);
        }
        w.WriteLine($"{(markdown ? "" : "  ")}change: of the median against {SideNames[0]}; significant: two-sided Mann-Whitney U p < {Alpha.ToString(CultureInfo.InvariantCulture)} and |change| ≥ {(MinChange * 100).ToString("0.#", CultureInfo.InvariantCulture)} %.");
    }
}
