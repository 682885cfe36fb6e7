namespace Pab.Report.Commands;

/// <summary>
/// An enum option's value in a class: System.CommandLine's Option&lt;T&gt; over a nullable enum is a value-type
/// instantiation it cannot precompile (~40 methods JIT-compiled at every start); over a class it runs shared code.
/// </summary>
public sealed class Picked<T>(T value) where T : struct, Enum
{
    public T Value { get; } = value;
}
