using Pab.Common;
using Pab.Exhaust;

return ExhaustCommand.Cli(settings =>
{
    var host = HostInfo.Collect();
    return new Parent(settings, RecordWriter.Stdout("pab-exhaust"), Console.Error) { Meta = s => ExhaustMeta.Of(s, host) }.Run();
}).Run(args);
