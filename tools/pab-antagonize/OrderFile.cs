using System.Globalization;
using System.Text;
using Pab.Common.Cli;

namespace Pab.Antagonize;

/// <summary>
/// --order-file: the order being measured, one line, rewritten as each order begins (when its meta
/// record is written), and empty until one has. After a failure it names the order that failed,
/// for a script, without parsing records; it is written before the order runs, so it is right
/// even when the run is killed.
/// </summary>
public sealed class OrderFile : IDisposable
{
    private readonly FileStream _file;
    private readonly string _path;

    private OrderFile(FileStream file, string path)
    {
        _file = file;
        _path = path;
    }

    /// <summary>Creates or empties the file; null, and why in the flag's words, when it cannot be written.</summary>
    public static OrderFile? Open(string path, out string? error)
    {
        error = null;
        try
        {
            return new OrderFile(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"--order-file {path}: cannot write: {IoText.Reason(path, e)}";
            return null;
        }
    }

    /// <summary>
    /// Names <paramref name="order"/>; null, or why it could not. The new line is written over the old
    /// before the rest is cut: a reader never sees an empty file, and its first line is always whole.
    /// </summary>
    public string? Write(int order)
    {
        byte[] line = Encoding.ASCII.GetBytes(order.ToString(CultureInfo.InvariantCulture) + "\n");
        try
        {
            _file.Position = 0;
            _file.Write(line);
            _file.Flush();
            _file.SetLength(line.Length);
            return null;
        }
        catch (IOException e)
        {
            return $"--order-file {_path}: cannot write: {IoText.Reason(_path, e)}";
        }
    }

    public void Dispose() => _file.Dispose();
}
