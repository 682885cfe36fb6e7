using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Pab.Common;
using Pab.Report.Merge;
using Pab.Report.Summaries;

namespace Pab.Report.Export;

/// <summary>Writes a report in one format.</summary>
public interface IReportExporter
{
    void Export(MergedData data, IReadOnlyList<Warning> warnings, Stream output);
}
