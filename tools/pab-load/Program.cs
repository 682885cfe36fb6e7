using System.CommandLine;
using Pab.Load;

return LoadCommand.Build().Parse(args).Invoke();
