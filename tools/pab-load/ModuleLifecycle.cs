using System.Runtime.InteropServices;
using Pab.Common;

namespace Pab.Load;

/// <summary>
/// insert, remove and status, each writing one event record and returning its exit code. Paths such as
/// /proc and /sys are read below <c>root</c>: / on a real system, a folder of the same shape in tests.
/// </summary>
public sealed class ModuleLifecycle(string root = "/")
{
    private readonly RecordWriter _out = RecordWriter.Stdout("pab-load");

    private string Under(string path) => Path.Combine(root, path.TrimStart('/'));
    private string ModuleDir => Under("/sys/module/" + Abi.ModuleName);
    private bool Loaded => File.Exists(Path.Combine(ModuleDir, "initstate")) || Directory.Exists(Path.Combine(ModuleDir, "sections"));
    private string RunningRelease => File.ReadAllText(Under("/proc/sys/kernel/osrelease")).Trim();

    // Every subcommand says where to run instead: this kernel can never load the module.
    private string NoModuleSupportMessage =>
        $"this kernel ({RunningRelease}) has no loadable module support (CONFIG_MODULES is off); run the benchmark in a VM: scripts/vm-run";
    private string? ModuleAttr(string name) =>
        File.Exists(Path.Combine(ModuleDir, name)) ? File.ReadAllText(Path.Combine(ModuleDir, name)).Trim() : null;

    public static string DefaultKoPath() =>
        Environment.GetEnvironmentVariable("PAB_KO") is { Length: > 0 } ko
            ? ko
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "kmod", Abi.ModuleName + ".ko"));

    private static ExitCode Fail(ExitCode code, string message)
    {
        Console.Error.WriteLine($"pab-load: {message}");
        return code;
    }

    private ExitCode? CheckPrivileges()
    {
        if (!File.Exists(Under("/proc/modules")))
            return Fail(ExitCode.NoModuleSupport, NoModuleSupportMessage);
        if (Native.geteuid() != 0)
            return Fail(ExitCode.NotRoot, "must run as root (loading and unloading kernel modules needs CAP_SYS_MODULE)");
        return null;
    }

    public ExitCode Insert(string koPath)
    {
        if (CheckPrivileges() is { } denied) return denied;
        if (!File.Exists(koPath))
            return Fail(ExitCode.ModuleFileMissing, $"module file {koPath} not found; build it with `make kmod` or name it with --ko");

        ModInfo info;
        try { info = ModInfo.Read(koPath); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return Fail(ExitCode.ModuleFileMissing, $"cannot read {koPath}: {e.Message}");
        }
        if (info.KernelRelease != RunningRelease)
            return Fail(ExitCode.WrongKernel, $"{koPath} was built for kernel {info.KernelRelease ?? "(unknown)"} but {RunningRelease} is running; rebuild with `make kmod KDIR=<build tree of {RunningRelease}>`");

        if (Loaded)
            return AlreadyLoaded(info, koPath);

        int err;
        using (var file = File.OpenHandle(koPath))
            err = ModuleSyscalls.FinitModule(file);
        switch (err)
        {
            case 0: break;
            case Native.EEXIST: return AlreadyLoaded(info, koPath);
            case Native.ENOEXEC:
                return Fail(ExitCode.WrongKernel, $"the kernel refused {koPath} as built for another kernel or configuration (invalid module format; the kernel log says why); running {RunningRelease}, module built for {info.KernelRelease}");
            case Native.ENOSYS:
                return Fail(ExitCode.NoModuleSupport, NoModuleSupportMessage);
            case Native.EPERM:
                return Fail(ExitCode.NotRoot, File.Exists(Under("/proc/sys/kernel/modules_disabled")) && File.ReadAllText(Under("/proc/sys/kernel/modules_disabled")).Trim() == "1"
                    ? "module loading is disabled on this system (kernel.modules_disabled=1)"
                    : "not permitted to load modules (needs CAP_SYS_MODULE; lockdown or module signing may also forbid it)");
            default:
                return Fail(ExitCode.Error, $"loading {koPath} failed: {Native.ErrorText(err)} (errno {err}); see the kernel log");
        }
        WriteMeta(koPath);
        return Report("module_inserted", $"inserted {koPath} (module {info.Version}, built for {info.KernelRelease})", verifyAbi: true);
    }

    /// <summary>The run's meta record: the machine and module that the following records measured.</summary>
    private void WriteMeta(string koPath)
    {
        var host = HostInfo.Collect(Under("/proc"), Under("/sys"));
        _out.Write(Record.Meta(host, new() { ["ko"] = koPath }));
    }

    private ExitCode AlreadyLoaded(ModInfo info, string koPath)
    {
        if (Inspect().Kind == ModuleKind.Original)
            return Fail(ExitCode.OtherBuildLoaded, $"{Abi.ModuleName} is already loaded, and it is {OriginalName}; run `pab-load remove` first");
        string? loadedSrc = ModuleAttr("srcversion");
        if (loadedSrc != null && info.SrcVersion != null && loadedSrc != info.SrcVersion)
            return Fail(ExitCode.OtherBuildLoaded, $"another build of {Abi.ModuleName} is loaded (srcversion {loadedSrc}, version {ModuleAttr("version")}); {koPath} is srcversion {info.SrcVersion}; run `pab-load remove` first");
        WriteMeta(koPath);
        return Report("module_already_loaded", $"{NameAndVersion} is already loaded (the same build as {koPath})", verifyAbi: true);
    }

    public ExitCode Remove(bool force)
    {
        if (CheckPrivileges() is { } denied) return denied;
        if (!Loaded)
        {
            Console.Error.WriteLine($"pab-load: {Abi.ModuleName} is not loaded; nothing to remove");
            _out.Write(Event("module_not_loaded", $"{Abi.ModuleName} is not loaded"));
            return ExitCode.Ok;
        }

        var holders = Holders();
        if (holders.Count > 0 && !force)
            return Fail(ExitCode.InUse, $"{Abi.ProcPath} is held open by {string.Join(", ", holders)}; stop them, or use --force (their pages are freed and their calls fail)");

        var (kind, before) = Inspect();
        int err = ModuleSyscalls.DeleteModule(Abi.ModuleName);
        if (err is Native.EBUSY or Native.EAGAIN)
            return Fail(ExitCode.InUse, $"{Abi.ModuleName} is in use (the kernel holds a reference); try again when its users are gone");
        if (err == Native.ENOENT)
        {
            _out.Write(Event("module_not_loaded", $"{Abi.ModuleName} was unloaded meanwhile"));
            return ExitCode.Ok;
        }
        if (err != 0)
            return Fail(ExitCode.Error, $"unloading {Abi.ModuleName} failed: {Native.ErrorText(err)} (errno {err})");

        var record = Event("module_removed", $"removed {Abi.ModuleName}" + (kind == ModuleKind.Original ? $", {OriginalName}" : "") + (before is { } b && b.TotalOutstanding > 0 ? $"; it freed {b.TotalOutstanding} blocks still held ({b.TotalOutstandingPages} pages)" : ""));
        if (kind == ModuleKind.Original) record.Host!.ModuleAbi = HostInfo.OriginalModuleAbi;
        if (before is { } i)
        {
            record.Details = new() { ["outstanding_blocks"] = i.TotalOutstanding, ["outstanding_pages"] = i.TotalOutstandingPages };
            record.Host = new HostInfo { KernelRelease = RunningRelease, ModuleVersion = i.ModuleVersion };
        }
        _out.Write(record);
        Console.Error.WriteLine($"pab-load: {record.Message}");
        return ExitCode.Ok;
    }

    public ExitCode Status()
    {
        if (!File.Exists(Under("/proc/modules")))
            return Fail(ExitCode.NoModuleSupport, NoModuleSupportMessage);
        if (!Loaded)
        {
            _out.Write(Event("module_not_loaded", $"{Abi.ModuleName} is not loaded"));
            return Fail(ExitCode.NotLoaded, $"{Abi.ModuleName} is not loaded; load it with `pab-load insert`");
        }
        return Report("module_status", $"{NameAndVersion} is loaded", verifyAbi: false);
    }

    private Record Event(string name, string message) => new()
    {
        Type = RecordType.Event,
        Event = name,
        Message = message,
        Host = new HostInfo { KernelRelease = RunningRelease, ModuleVersion = ModuleAttr("version") },
    };

    private ExitCode Report(string name, string message, bool verifyAbi)
    {
        var record = Event(name, message);
        var (kind, info) = Inspect();
        if (kind == ModuleKind.Original)
        {
            // No info call to ask: saying which module it is is all there is to report.
            record.Message = message = $"{Abi.ModuleName} is loaded: {OriginalName}";
            record.Host!.ModuleAbi = HostInfo.OriginalModuleAbi;
        }
        if (info is { } i)
        {
            record.Details = new()
            {
                ["abi_version"] = i.AbiVersion,
                ["max_order"] = i.MaxOrder,
                ["outstanding_blocks"] = i.TotalOutstanding,
                ["outstanding_pages"] = i.TotalOutstandingPages,
            };
            record.Host!.ModuleVersion = i.ModuleVersion;
            record.Host.ModuleAbi = i.AbiVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
            message += $"; ABI {i.AbiVersion}, max order {i.MaxOrder}, {i.TotalOutstanding} blocks ({i.TotalOutstandingPages} pages) outstanding";
            record.Message = message;
        }
        _out.Write(record);
        Console.Error.WriteLine($"pab-load: {message}");
        if (verifyAbi && info is { } v && v.AbiVersion != Abi.AbiVersion)
            return Fail(ExitCode.AbiMismatch, $"the loaded module speaks ABI {v.AbiVersion} but these tools speak ABI {Abi.AbiVersion}; load the module built with these tools");
        return ExitCode.Ok;
    }

    private const string OriginalName = "the original module (no info call), not this project's";

    /// <summary>The name and, when the module has one (the original has none), its version.</summary>
    private string NameAndVersion => ModuleAttr("version") is { Length: > 0 } v ? $"{Abi.ModuleName} {v}" : Abi.ModuleName;

    /// <summary>
    /// Which module is loaded and, for this project's, what its info call says. The original is never sent
    /// the info call (it logs every call it does not know). Nulls where the file cannot be opened or a call
    /// fails (not root, or mid-unload).
    /// </summary>
    private (ModuleKind? Kind, ModuleInfo? Info) Inspect()
    {
        try
        {
            var probe = ModuleProbe.Identify(Under(Abi.ProcPath));
            if (probe.Failed) return (null, null);
            if (probe.Kind == ModuleKind.Original) return (ModuleKind.Original, null);
            using var client = ModuleClient.Open(Under(Abi.ProcPath));
            return (ModuleKind.ThisProject, client.Info());
        }
        catch (ModuleException)
        {
            return (null, null);
        }
    }

    /// <summary>Processes other than this one with the module's file open, as "pid (comm)".</summary>
    private List<string> Holders()
    {
        var result = new List<string>();
        string target = Under(Abi.ProcPath);
        foreach (var proc in Directory.EnumerateDirectories(Under("/proc")))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid) || pid == Environment.ProcessId) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(proc, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget == target)
                    {
                        string comm = File.ReadAllText(Path.Combine(proc, "comm")).Trim();
                        result.Add($"{pid} ({comm})");
                        break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended or hides its fds; skip it.
            }
        }
        return result;
    }
}
