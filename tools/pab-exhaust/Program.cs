using Pab.Common;
using Pab.Exhaust;

return ExhaustCommand.Cli(settings => new Parent(settings, RecordWriter.Stdout("pab-exhaust"), Console.Error).Run()).Run(args);
