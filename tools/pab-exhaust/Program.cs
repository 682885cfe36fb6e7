using Pab.Common;
using Pab.Exhaust;

// From the start (this runs the program again once): no 2 MiB pages in the parent's memory (pab-fill gets the machine's setting).
OwnHugePages.DisableFromStart(args);

return ExhaustCommand.Cli(settings =>
{
    var host = HostInfo.Collect();
    return new Parent(settings, RecordWriter.Stdout("pab-exhaust"), Console.Error) { Meta = s => ExhaustMeta.Of(s, host) }.Run();
}).Run(args);
