using Pab.Antagonize;

return AntagonizeCommand.Run(args);
