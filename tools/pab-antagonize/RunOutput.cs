using Pab.Common;

namespace Pab.Antagonize;

/// <summary>Where one run's records (stdout) and messages (stderr, prefixed with the tool's name) go.</summary>
public sealed class RunOutput(RecordWriter records, TextWriter log, int order)
{
    /// <summary>The order the records carry: under --idle-first, the order being measured.</summary>
    public int Order { get; private set; } = order;

    /// <summary>Where the order being measured is named for a script (--order-file), if anywhere.</summary>
    public OrderFile? OrderFile { get; set; }

    /// <summary>Begins an order: its meta record is written, the records that follow carry it, and the order file names it.</summary>
    public void BeginOrder(int order, Record meta)
    {
        Order = order;
        records.Write(meta);
        if (OrderFile?.Write(order) is { } error) Say($"warning: {error}");
    }

    public void Write(Record record) => records.Write(record);

    public void Event(string name, string? message = null, int? cpu = null, Dictionary<string, double>? details = null,
        string label = Antagonist.Label) =>
        records.Write(AntagonistRecords.Event(Order, name, message, cpu, details, label));

    public void Say(string message) => log.WriteLine($"{Antagonist.Tool}: {message}");

    /// <summary>Says why the run stops, writes it as an error event (not for a usage error: stdout stays empty), and returns the exit code.</summary>
    public int Fail(Refusal refusal)
    {
        Say(refusal.Message);
        if (refusal.Code == ExitCode.Usage) log.WriteLine($"{Antagonist.Tool}: see --help");
        else Event("error", refusal.Message);
        return (int)refusal.Code;
    }
}
