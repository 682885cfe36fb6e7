using Pab.Common;
using Pab.Exhaust;

if (args.Length == 1 && args[0] == ChildMode.Verb)
    return ChildMode.Run();

return ExhaustCommand.Build(settings =>
{
    var records = RecordWriter.Stdout("pab-exhaust");
    records.Write(ExhaustMeta.Of(settings, HostInfo.Collect()));
    return new Parent(settings, records, Console.Error).Run();
}).Parse(args).Invoke();
