namespace Pab.Common;

/// <summary>A failed call into the module, with the errno it returned.</summary>
public sealed class ModuleException(string operation, int errno)
    : Exception($"{operation}: {Native.ErrorText(errno)} (errno {errno})")
{
    public int Errno { get; } = errno;
}
