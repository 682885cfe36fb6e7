namespace Pab.Report.Export;

/// <summary>What compare writes on standard output.</summary>
public enum CompareFormat { Text, Markdown }
