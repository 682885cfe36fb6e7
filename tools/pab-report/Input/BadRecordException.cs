namespace Pab.Report.Input;

/// <summary>A record that is well-formed JSON but not a valid record (its message says what to fix).</summary>
public sealed class BadRecordException(string message) : Exception(message);
