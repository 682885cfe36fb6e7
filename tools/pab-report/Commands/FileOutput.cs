using Pab.Report.Export;

namespace Pab.Report.Commands;

/// <summary>A file an option asked for (null: not asked), and the exporter that writes it.</summary>
internal sealed record FileOutput<T>(string Option, string? Path, IExporter<T> Exporter);
