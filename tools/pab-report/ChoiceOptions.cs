using System.CommandLine;

namespace Pab.Report;

/// <summary>
/// What <see cref="Pab.Common.Cli.CliValues.ChoiceOf{T, TValue}"/> does (an enum option shown and completed by its
/// lower-case names), without its generic instantiation per enum: Pab.Common cannot precompile it for pab-report's
/// enums, so the JIT compiled ~35 methods for the three options at every start. CliTests hold the names equal.
/// </summary>
public static class ChoiceOptions
{
    public static Option<TValue> Choices<TValue>(this Option<TValue> option, Type enumType)
    {
        string[] names = Names(enumType);
        option.HelpName = string.Join('|', names);
        option.CompletionSources.Clear();
        option.CompletionSources.Add(names);
        return option;
    }

    /// <summary>The lower-case names, in the order of their values (as Enum.GetValues gives them).</summary>
    public static string[] Names(Type enumType)
    {
        string[] names = Enum.GetNames(enumType);
        for (int i = 0; i < names.Length; i++) names[i] = names[i].ToLowerInvariant();
        return names;
    }
}
