using System.Diagnostics;
using System.Reflection;

namespace Pab.Common;

/// <summary>This build's version, as every record's tool_version says it, and the versions of the tools installed with it.</summary>
public static class ToolInfo
{
    /// <summary>The tools of page-alloc-bench, as they are installed side by side (one folder, one runtime).</summary>
    public static readonly IReadOnlyList<string> Tools = ["pab-load", "pab-exhaust", "pab-antagonize", "pab-report"];

    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";

    /// <summary>
    /// Meta's tool_versions: tool name → version of each tool installed in <paramref name="dir"/> (default: this
    /// tool's own folder), read from its assembly's metadata without running it; tools not there are left out.
    /// </summary>
    public static Dictionary<string, string> InstalledVersions(string? dir = null)
    {
        dir ??= AppContext.BaseDirectory;
        var versions = new Dictionary<string, string>();
        foreach (string tool in Tools)
        {
            string path = Path.Combine(dir, tool + ".dll");
            if (!File.Exists(path)) continue;
            try
            {
                if (FileVersionInfo.GetVersionInfo(path).ProductVersion is { Length: > 0 } v) versions[tool] = v;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
            {
                // An unreadable file says nothing about the run; the other tools' versions still count.
            }
        }
        return versions;
    }
}
