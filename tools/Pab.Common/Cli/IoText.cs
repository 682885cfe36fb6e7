namespace Pab.Common.Cli;

/// <summary>Why a file could not be read or written, in the words of ls and cat rather than .NET's.</summary>
public static class IoText
{
    public static string Reason(string path, Exception e) => e switch
    {
        _ when Directory.Exists(path) => "is a directory",
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "no such directory",
        FileNotFoundException => "no such file",
        PathTooLongException => "the name is too long",
        _ => e.Message,
    };
}
