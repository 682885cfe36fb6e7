using Pab.Common;
using Pab.Exhaust;

return ExhaustCommand.Cli(settings =>
{
    var records = RecordWriter.Stdout("pab-exhaust");
    records.Write(ExhaustMeta.Of(settings, HostInfo.Collect()));
    return new Parent(settings, records, Console.Error).Run();
}).Run(args);
