using System.Runtime.CompilerServices;

namespace Pab.Antagonize;

/// <summary>
/// oom_score_adj -1000 for the antagonist: the OOM killer would free none of the module's pages by
/// killing it. The command it wraps inherits the value at fork, so it is handed the original for that moment.
/// </summary>
public sealed class OomShield
{
    public const string DefaultPath = "/proc/self/oom_score_adj";
    private const string Shielded = "-1000";
    private readonly string _path;

    private OomShield(string path, string? original)
    {
        _path = path;
        Original = original;
    }

    /// <summary>The value before the shield, or null when it could not be raised (then nothing is handed over).</summary>
    public string? Original { get; }

    /// <summary>Sets -1000 (needs CAP_SYS_RESOURCE); says so through <paramref name="say"/> when it cannot.</summary>
    public static OomShield Raise(Action<string> say, string path = DefaultPath)
    {
        string? original;
        try { original = File.ReadAllText(path).Trim(); }
        catch (IOException) { return new OomShield(path, null); }
        if (TryWrite(path, Shielded)) return new OomShield(path, original);
        say("could not set oom_score_adj to -1000; the OOM killer may pick the antagonist");
        return new OomShield(path, null);
    }

    // Lower and Restore bracket the child's start: inlined, so no first-call stub resolution
    // widens the moment in which the antagonist itself is unshielded.

    /// <summary>Puts the original value back, for a child about to be forked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Lower()
    {
        if (Original != null) TryWrite(_path, Original);
    }

    /// <summary>Raises the shield again once the child has its own copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Restore()
    {
        if (Original != null) TryWrite(_path, Shielded);
    }

    private static bool TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
