using System.CommandLine;
using System.CommandLine.Parsing;

namespace Pab.Common.Cli;

/// <summary>
/// A parse result's errors in the user's words, each naming the flag: "unknown option '--iteration'
/// (did you mean '--iterations'?)", "--order: missing value", "--order is required".
/// </summary>
public static class UsageErrors
{
    /// <param name="afterDoubleDash">An argument whose words must all come after "--" (pab-antagonize's COMMAND), so a mistyped flag is never run.</param>
    public static List<string> Of(ParseResult pr, Argument? afterDoubleDash = null)
    {
        var messages = new List<string>();
        var command = pr.CommandResult.Command;
        var handled = new HashSet<ParseError>();

        foreach (string token in pr.UnmatchedTokens)
        {
            messages.Add(Unknown(command, token));
            handled.UnionWith(pr.Errors.Where(e => e.SymbolResult is null or CommandResult && e.Message.Contains($"'{token}'", StringComparison.Ordinal)));
        }
        // A positional argument takes words the parser did not know; before "--" a word with a dash is a mistyped option.
        int doubleDash = IndexOf(pr.Tokens, t => t.Type == TokenType.DoubleDash);
        foreach (var arg in pr.CommandResult.Children.OfType<ArgumentResult>())
            foreach (var t in arg.Tokens)
            {
                int at = IndexOf(pr.Tokens, x => ReferenceEquals(x, t));
                if (doubleDash >= 0 && at > doubleDash) continue;
                if (t.Value.Length > 1 && t.Value[0] == '-')
                    messages.Add(Unknown(command, t.Value));
                else if (arg.Argument == afterDoubleDash)
                    messages.Add($"unexpected argument '{t.Value}': a {afterDoubleDash.HelpName ?? afterDoubleDash.Name} goes after '--'");
            }
        foreach (var option in command.Options.Where(o => o.Required && pr.GetResult(o) is null or OptionResult { IdentifierTokenCount: 0 }))
        {
            messages.Add($"{option.Name} is required");
            handled.UnionWith(pr.Errors.Where(e => e.SymbolResult is OptionResult r && r.Option == option
                || e.SymbolResult is null or CommandResult && e.Message.Contains($"'{option.Name}'", StringComparison.Ordinal)));
        }
        // A tool of subcommands (pab-load) run without one.
        if (command.Subcommands.Count > 0 && command.Action == null)
        {
            if (pr.UnmatchedTokens.Count == 0)
                messages.Add($"a command is needed: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}");
            handled.UnionWith(pr.Errors.Where(e => e.SymbolResult is CommandResult c && c.Command == command && e.Message.StartsWith("Required command", StringComparison.Ordinal)));
        }
        foreach (var e in pr.Errors)
        {
            if (handled.Contains(e)) continue;
            if (e.SymbolResult is OptionResult o && o.Tokens.Count == 0 && o.Option.Arity.MinimumNumberOfValues > 0)
                messages.Add($"{o.Option.Name}: missing value");
            else if (e.SymbolResult is OptionResult many && many.Tokens.Count > many.Option.Arity.MaximumNumberOfValues)
                messages.Add($"{many.Option.Name}: given more than once ({string.Join(", ", many.Tokens.Select(t => t.Value))})");
            else if (e.SymbolResult is ArgumentResult { Parent: CommandResult } a && a.Tokens.Count < a.Argument.Arity.MinimumNumberOfValues)
                messages.Add($"{a.Argument.Name}: {Needs(a.Argument.Arity.MinimumNumberOfValues)}, got {a.Tokens.Count}");
            else
                messages.Add(e.Message.TrimEnd('.'));
        }
        return messages.Distinct().ToList();
    }

    private static string Needs(int n) => n == 1 ? "needs a value" : $"needs at least {n} values";

    private static int IndexOf(IReadOnlyList<Token> tokens, Func<Token, bool> match)
    {
        for (int i = 0; i < tokens.Count; i++)
            if (match(tokens[i])) return i;
        return -1;
    }

    private static string Unknown(Command command, string token)
    {
        bool option = token.StartsWith('-') && token.Length > 1;
        var names = option
            ? AllOptions(command).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => !n.StartsWith("-?") && n != "/?" && n != "/h")
            : command.Subcommands.Select(c => c.Name);
        string what = option ? "unknown option" : command.Subcommands.Count > 0 ? "unknown command" : "unexpected argument";
        string? near = Nearest(token.Split('=')[0], names);
        return $"{what} '{token}'" + (near != null ? $" (did you mean '{near}'?)" : "");
    }

    /// <summary>The command's own options and the recursive ones of its parents (--help).</summary>
    private static IEnumerable<Option> AllOptions(Command command)
    {
        var seen = new HashSet<Option>(command.Options);
        foreach (var o in command.Options) yield return o;
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent != null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            foreach (var o in parent.Options.Where(o => o.Recursive && seen.Add(o)))
                yield return o;
    }

    /// <summary>The known name closest to a typo: a prefix of it, or at most two edits away.</summary>
    private static string? Nearest(string typo, IEnumerable<string> names)
    {
        var candidates = names.Distinct().Select(n => (Name: n, Distance: n.StartsWith(typo, StringComparison.Ordinal) && typo.Length > 3 ? 0 : Edits(typo, n)))
            .Where(c => typo.Length > 3 && c.Distance <= Math.Min(2, Math.Max(1, typo.Length / 4)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name.Length).ToList();
        return candidates.Count > 0 && (candidates.Count == 1 || candidates[0].Distance < candidates[1].Distance || candidates[0].Distance == 0) ? candidates[0].Name : null;
    }

    private static int Edits(string a, string b)
    {
        var prev = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var cur = new int[b.Length + 1];
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            prev = cur;
        }
        return prev[b.Length];
    }
}
