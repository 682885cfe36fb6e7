using CsvHelper;
using Pab.Common;

namespace Pab.Report.Export;

/// <summary>Output formats of a report; all are written from the same merged data.</summary>
public enum ReportFormat
{
    /// <summary>Aligned tables for a terminal.</summary>
    Text,
    /// <summary>The merged records, one JSON object a line, for further pipelines (pab-report reads it back).</summary>
    Jsonl,
    /// <summary>One row per value with its keys.</summary>
    Csv,
    /// <summary>Tables for a mailing-list post.</summary>
    Markdown,
    /// <summary>The report's rows (the text report's figures, as numbers) with its runs and warnings, as one JSON document.</summary>
    Json,
}
