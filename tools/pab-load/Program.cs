using Pab.Load;

return LoadCommand.Cli().Run(args);
