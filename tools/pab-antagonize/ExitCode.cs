// pab-antagonize uses the exit codes every pab tool shares (Pab.Common.ExitCode, docs/conventions.md).
// When it wraps a COMMAND and nothing failed, it exits with the command's status instead.
global using ExitCode = Pab.Common.ExitCode;
