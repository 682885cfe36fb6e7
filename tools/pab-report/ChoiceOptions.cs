using System.CommandLine;

namespace Pab.Report;

/// <summary>
/// What <see cref="Pab.Common.Cli.CliValues.ChoiceOf{T, TValue}"/> does (an enum option shown and completed by its
/// lower-case names), without its generic instantiation per enum: Pab.Common cannot precompile it for pab-report's
/// enums, so the JIT compiled ~35 methods for the three options at every start. CliTests hold the names equal.
/// </summary>
public static class ChoiceOptions
{
    public static void Show(Option option, Type enumType)
    {
        string[] names = Names(enumType);
        option.HelpName = string.Join('|', names);
        option.CompletionSources.Clear();
        option.CompletionSources.Add(names);
    }

    /// <summary>The lower-case names, in the order of their values (as Enum.GetValues gives them).</summary>
    public static string[] Names(Type enumType)
    {
        string[] names = Enum.GetNames(enumType);
        for (int i = 0; i < names.Length; i++) names[i] = names[i].ToLowerInvariant();
        return names;
    }
}

/// <summary>
/// An enum option's value in a class: System.CommandLine's Option&lt;T&gt; over a nullable enum is a value-type
/// instantiation it cannot precompile (~40 methods JIT-compiled at every start); over a class it runs shared code.
/// </summary>
public sealed class Picked<T>(T value) where T : struct, Enum
{
    public T Value { get; } = value;
}
