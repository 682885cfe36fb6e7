using System.Runtime.InteropServices;
using Pab.Common;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>Starts the child (pab-fill, a small C program beside this tool) through posix_spawn: no fork of a .NET process.</summary>
public static unsafe class ChildSpawn
{
    /// <summary>Where the child program is: built with this tool into the same folder.</summary>
    public static string ChildPath { get; } = Path.Join(AppContext.BaseDirectory, "pab-fill");

    /// <summary>posix_spawn of the child: shared page as fd 3, stdout onto stderr so it can never pollute the records.</summary>
    public static int Start(int memfd, out int error)
    {
        var args = new List<string> { ChildPath };
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            env.Add($"{e.Key}={e.Value}");

        var allocated = new List<nint>();
        byte* Utf8(string s)
        {
            nint p = Marshal.StringToCoTaskMemUTF8(s);
            allocated.Add(p);
            return (byte*)p;
        }
        byte** argv = (byte**)NativeMemory.AllocZeroed((nuint)(args.Count + 1), (nuint)sizeof(nint));
        byte** envp = (byte**)NativeMemory.AllocZeroed((nuint)(env.Count + 1), (nuint)sizeof(nint));
        void* actions = NativeMemory.AllocZeroed(256); // posix_spawn_file_actions_t is 80 bytes on glibc x86-64
        try
        {
            for (int i = 0; i < args.Count; i++) argv[i] = Utf8(args[i]);
            for (int i = 0; i < env.Count; i++) envp[i] = Utf8(env[i]);
            posix_spawn_file_actions_init(actions);
            posix_spawn_file_actions_adddup2(actions, memfd, SharedPage.ChildFd);
            posix_spawn_file_actions_adddup2(actions, 2, 1);
            int pid;
            using (OwnHugePages.Lifted())
                error = posix_spawn(&pid, argv[0], actions, null, argv, envp);
            posix_spawn_file_actions_destroy(actions);
            return error == 0 ? pid : -1;
        }
        finally
        {
            foreach (var p in allocated) Marshal.FreeCoTaskMem(p);
            NativeMemory.Free(argv);
            NativeMemory.Free(envp);
            NativeMemory.Free(actions);
        }
    }
}
