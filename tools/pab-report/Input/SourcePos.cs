namespace Pab.Report.Input;

/// <summary>Where a record came from, for messages a person can act on.</summary>
public readonly record struct SourcePos(string File, long Line)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}
