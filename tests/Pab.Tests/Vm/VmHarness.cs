using System.Diagnostics;
using System.Text;

namespace Pab.Tests.Vm;

/// <summary>What a guest command produced. <see cref="ExitCode"/> is the command's own status.</summary>
public sealed record VmResult(int ExitCode, string Stdout, string Stderr, string Dmesg, string ConsoleLog, string LogDir, TimeSpan Elapsed)
{
    /// <summary>Everything useful for an assertion message.</summary>
    public override string ToString() =>
        $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s (logs: {LogDir})\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Guest settings; the defaults match scripts/vm-run's (sized for a 2-core CI machine).</summary>
public sealed record VmOptions
{
    /// <summary>Debian suite whose stock kernel boots; PAB_SUITE overrides the default (bookworm).</summary>
    public string Suite { get; init; } = Environment.GetEnvironmentVariable("PAB_SUITE") is { Length: > 0 } s ? s : "bookworm";
    public string Memory { get; init; } = "1G";
    public int Cpus { get; init; } = 2;
    /// <summary>Two NUMA nodes, memory split evenly.</summary>
    public bool Numa { get; init; }
    public int TimeoutSeconds { get; init; } = 600;
    /// <summary>Host files copied into the guest's working directory /opt/pab/run.</summary>
    public IReadOnlyList<string> AddFiles { get; init; } = [];
    /// <summary>Host directory shared read-write at /opt/pab/share.</summary>
    public string? ShareDir { get; init; }
    /// <summary>Do not build or share the module (/opt/pab/kmod stays empty).</summary>
    public bool NoKmod { get; init; }
}

/// <summary>The harness itself could not run a guest (no QEMU, boot failure, timeout...).</summary>
public sealed class VmHarnessException(string message) : Exception(message);

/// <summary>
/// Runs commands in a QEMU guest through scripts/vm-run. The first call builds what the guest needs
/// (`make -s tools kmod-vm`: published tools in /opt/pab/bin, the module at
/// /opt/pab/kmod/page_alloc_bench.ko). Failures to build or boot throw <see cref="VmHarnessException"/>,
/// so VM tests fail, never silently pass; use <see cref="VmFactAttribute"/> so PAB_SKIP_VM=1 skips them.
/// </summary>
public static class VmHarness
{
    public const string ModulePath = "/opt/pab/kmod/page_alloc_bench.ko";
    public const string ToolsDir = "/opt/pab/bin";

    private static readonly Lock BuildLock = new();
    private static readonly HashSet<string> BuiltSuites = [];
    private static int _runCounter;

    /// <summary>Runs COMMAND (no shell) in a guest with default options.</summary>
    public static VmResult Run(params string[] command) => Run(new VmOptions(), command);

    public static VmResult Run(VmOptions options, params string[] command)
    {
        if (command.Length == 0)
            throw new ArgumentException("no guest command given", nameof(command));
        EnsureBuilt(options.Suite);
        return Invoke(options, command);
    }

    /// <summary>Runs a busybox sh script in the guest (cwd /opt/pab/run, where AddFiles land).</summary>
    public static VmResult RunScript(string script, VmOptions? options = null)
    {
        options ??= new VmOptions();
        using var dir = new TempDir("pab-vm-script-");
        var path = dir.Of("pab-test-script.sh");
        File.WriteAllText(path, script);
        return Run(options with { AddFiles = [.. options.AddFiles, path] }, "sh", "pab-test-script.sh");
    }

    /// <summary>Builds the tools and SUITE's module and guest image once per test run.</summary>
    public static void EnsureBuilt(string suite)
    {
        lock (BuildLock)
        {
            if (BuiltSuites.Contains(suite))
                return;
            Exec.Result r;
            try { r = Exec.Run("make", ["-s", "-C", RepoPaths.Root, "tools", "kmod-vm", $"SUITE={suite}"], TimeSpan.FromMinutes(20)); }
            catch (TimeoutException e) { throw new VmHarnessException(e.Message); }
            if (r.Code != 0)
                throw new VmHarnessException($"`make -s tools kmod-vm SUITE={suite}` failed with exit {r.Code}; the VM tests cannot run:\n{r.Output}");
            BuiltSuites.Add(suite);
        }
    }

    private static VmResult Invoke(VmOptions o, string[] command)
    {
        var logDir = RepoPaths.Of("build", "vm", "log", "tests",
            $"{DateTime.UtcNow:HHmmss}-{Environment.ProcessId}-{Interlocked.Increment(ref _runCounter)}");
        var args = new List<string>
        {
            "--suite", o.Suite, "--mem", o.Memory, "--cpus", o.Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--timeout", o.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-dir", logDir,
        };
        if (o.Numa) args.Add("--numa");
        if (o.NoKmod) args.Add("--no-kmod");
        if (o.ShareDir != null) args.AddRange(["--share", o.ShareDir]);
        foreach (var f in o.AddFiles) args.AddRange(["--add", f]);
        args.Add("--");
        args.AddRange(command);

        var psi = new ProcessStartInfo(RepoPaths.Of("scripts", "vm-run"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new VmHarnessException("could not start scripts/vm-run");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // vm-run enforces the guest timeout itself; this margin covers a first-time kernel fetch.
        if (!p.WaitForExit(TimeSpan.FromSeconds(o.TimeoutSeconds + 600)))
        {
            p.Kill(entireProcessTree: true);
            throw new VmHarnessException($"scripts/vm-run did not return within {o.TimeoutSeconds + 600} s (logs: {logDir})");
        }
        p.WaitForExit();
        sw.Stop();
        var status = ReadOrEmpty(Path.Combine(logDir, "status")).Trim();
        var result = new VmResult(p.ExitCode, stdout.Result, stderr.Result,
            ReadOrEmpty(Path.Combine(logDir, "dmesg.txt")), ReadOrEmpty(Path.Combine(logDir, "console.log")), logDir, sw.Elapsed);
        if (status != $"exit {p.ExitCode}")
        {
            var what = status.Length > 0 ? status : $"vm-run exited {p.ExitCode} without a status file";
            throw new VmHarnessException($"VM harness failure ({what}); command: {string.Join(' ', command)}\n{result}\n--- console tail ---\n{Tail(result.ConsoleLog, 30)}");
        }
        return result;
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}

/// <summary>A fact that boots a VM: runs (and fails if the harness cannot) unless PAB_SKIP_VM=1.</summary>
public sealed class VmFactAttribute : FactAttribute
{
    public VmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("PAB_SKIP_VM") == "1")
            Skip = "PAB_SKIP_VM=1";
    }
}

/// <summary>A theory that boots a VM: runs (and fails if the harness cannot) unless PAB_SKIP_VM=1.</summary>
public sealed class VmTheoryAttribute : TheoryAttribute
{
    public VmTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("PAB_SKIP_VM") == "1")
            Skip = "PAB_SKIP_VM=1";
    }
}
