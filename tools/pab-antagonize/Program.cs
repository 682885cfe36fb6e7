using Pab.Antagonize;
using Pab.Common;

// Before anything is allocated: no 2 MiB pages in our own memory (the command gets the machine's setting).
OwnHugePages.Disable();
return AntagonizeCommand.Run(args);
