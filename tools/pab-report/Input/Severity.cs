namespace Pab.Report.Input;

public enum Severity { Warning, Error }
