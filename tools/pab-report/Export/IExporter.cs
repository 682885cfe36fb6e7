namespace Pab.Report.Export;

/// <summary>
/// Writes one of pab-report's outputs in one format: the report's (<see cref="ReportContent"/>) or a comparison's
/// (<see cref="CompareContent"/>), to standard output or, through AtomicFile, to a file.
/// </summary>
public interface IExporter<in T>
{
    void Export(T content, Stream output);
}
