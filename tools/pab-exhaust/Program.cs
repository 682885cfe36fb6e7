using Pab.Common;
using Pab.Exhaust;

if (args.Length == 1 && args[0] == ChildMode.Verb)
    return ChildMode.Run();

return ExhaustCommand.Cli(settings => new Parent(settings, RecordWriter.Stdout("pab-exhaust"), Console.Error).Run()).Run(args);
