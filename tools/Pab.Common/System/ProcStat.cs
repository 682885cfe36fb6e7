namespace Pab.Common;

/// <summary>A /proc/PID/stat line's fields after the command name, which may hold spaces and parentheses.</summary>
public static class ProcStat
{
    /// <summary>Fields 3 (state) onwards: index i is field i + 3 of proc(5); empty when the line has no name.</summary>
    public static string[] FieldsAfterName(string stat)
    {
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 > stat.Length ? [] : stat[(close + 2)..].Split(' ');
    }
}
