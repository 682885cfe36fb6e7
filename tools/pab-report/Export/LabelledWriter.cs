namespace Pab.Report.Export;

/// <summary>Standard error with each line's "error:" or "warning:" painted.</summary>
public sealed class LabelledWriter(TextWriter inner, Ansi colour) : TextWriter
{
    public override System.Text.Encoding Encoding => inner.Encoding;
    public override void Write(char value) => inner.Write(value);
    public override void Write(string? value) => inner.Write(value);
    public override void WriteLine(string? value) => inner.WriteLine(colour.Label(value ?? ""));
    public override void Flush() => inner.Flush();
}
