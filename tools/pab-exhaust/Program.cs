using Pab.Common;
using Pab.Exhaust;

return ExhaustCommand.Build(settings =>
    new Parent(settings, RecordWriter.Stdout("pab-exhaust"), Console.Error).Run()).Parse(args).Invoke();
