namespace Pab.Report.Input;

/// <summary>An input: a file, or standard input ("-").</summary>
public sealed class InputSource(string name, Func<Stream> open, DateTimeOffset? modified = null)
{
    public string Name { get; } = name;
    public Func<Stream> Open { get; } = open;
    public DateTimeOffset? Modified { get; } = modified;

    public const string StdinName = "<stdin>";

    public static InputSource FromArgument(string arg) =>
        arg == "-"
            ? new InputSource(StdinName, Console.OpenStandardInput)
            : new InputSource(arg, () => new FileStream(arg, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan),
                File.Exists(arg) ? File.GetLastWriteTimeUtc(arg) : null);

    public static InputSource FromBytes(string name, byte[] bytes) => new(name, () => new MemoryStream(bytes, writable: false));
}
