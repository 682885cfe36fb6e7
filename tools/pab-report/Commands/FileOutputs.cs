using Pab.Common;
using Pab.Common.Cli;

namespace Pab.Report.Commands;

/// <summary>Writes the files beside the terminal output, each atomically.</summary>
internal static class FileOutputs
{
    /// <summary>Writes every file asked for, in order; false (said on stderr) at the first that cannot be written.</summary>
    public static bool Write<T>(T content, IEnumerable<FileOutput<T>> files, TextWriter stderr)
    {
        foreach (var (option, path, exporter) in files)
        {
            if (path == null) continue;
            try
            {
                AtomicFile.Write(path, s => exporter.Export(content, s));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"pab-report: {option} {path}: cannot write: {IoText.Reason(path, e)}");
                return false;
            }
        }
        return true;
    }
}
