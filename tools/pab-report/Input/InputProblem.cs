namespace Pab.Report.Input;

/// <summary>A problem with the input, named by file and line.</summary>
public sealed record InputProblem(Severity Severity, SourcePos Where, string Message)
{
    public override string ToString() => $"{Where}: {(Severity == Severity.Error ? "error" : "warning")}: {Message}";
}
