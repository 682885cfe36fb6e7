using Pab.Antagonize;
using Pab.Common;

// From the start (this runs the program again once): no 2 MiB pages in our own memory (the command gets the machine's setting).
OwnHugePages.DisableFromStart(args);
return AntagonizeCommand.Run(args);
