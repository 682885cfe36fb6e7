using System.Text;

namespace Pab.Common.Kernel;

/// <summary>Reads a /proc or tracefs file whole; null where it is absent or not permitted.</summary>
public static class ProcText
{
    public static string? Read(string path)
    {
        try { return File.ReadAllText(path, Encoding.UTF8); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
