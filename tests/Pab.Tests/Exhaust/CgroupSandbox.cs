using System.Globalization;
using Pab.Common.Kernel;
using Pab.Exhaust;

namespace Pab.Tests.Exhaust;

/// <summary>
/// A memory cgroup with a small limit, made below this process's own memory cgroup
/// (v1 memory controller, else v2 with memory.max), so a real OOM kill inside it
/// cannot touch anything outside.
/// </summary>
public sealed class CgroupSandbox : IDisposable
{
    public string Dir { get; }
    public bool IsV1 { get; }
    public long LimitBytes { get; }

    private CgroupSandbox(string dir, bool v1, long limit) => (Dir, IsV1, LimitBytes) = (dir, v1, limit);

    /// <summary>Creates the cgroup, or returns null with the reason it cannot.</summary>
    public static CgroupSandbox? TryCreate(long limitBytes, out string why)
    {
        why = "";
        if (Environment.GetEnvironmentVariable("PAB_SKIP_CGROUP") == "1")
        {
            why = "PAB_SKIP_CGROUP=1";
            return null;
        }
        string? self = ProcText.Read("/proc/self/cgroup");
        string? usage = ProcStatus.MemoryCgroupUsageFile(self);
        if (usage == null)
        {
            why = "no memory cgroup in /proc/self/cgroup";
            return null;
        }
        bool v1 = usage.EndsWith("memory.usage_in_bytes", StringComparison.Ordinal);
        string parent = Path.GetDirectoryName(usage)!;
        string dir = Path.Join(parent, $"pab-exhaust-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        try
        {
            Directory.CreateDirectory(dir);
            var box = new CgroupSandbox(dir, v1, limitBytes);
            string limitFile = v1 ? "memory.limit_in_bytes" : "memory.max";
            if (!File.Exists(Path.Join(dir, limitFile)))
            {
                box.Dispose();
                why = $"{dir} has no {limitFile} (memory controller not enabled for it)";
                return null;
            }
            box.Write(limitFile, limitBytes.ToString(CultureInfo.InvariantCulture));
            if (!v1 && File.Exists(Path.Join(dir, "memory.swap.max"))) box.Write("memory.swap.max", "0");
            if (box.ReadLong(limitFile) != limitBytes)
            {
                box.Dispose();
                why = $"the limit did not take in {dir}";
                return null;
            }
            return box;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { Directory.Delete(dir); } catch (Exception) { }
            why = $"cannot make a memory cgroup under {parent}: {e.Message}";
            return null;
        }
    }

    public void Write(string file, string value) => File.WriteAllText(Path.Join(Dir, file), value);

    public long ReadLong(string file) => long.Parse(File.ReadAllText(Path.Join(Dir, file)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Highest usage the cgroup has seen.</summary>
    public long PeakBytes => ReadLong(IsV1 ? "memory.max_usage_in_bytes" : "memory.peak");

    /// <summary>OOM kills inside the cgroup.</summary>
    public long OomKills => ReadKey(IsV1 ? "memory.oom_control" : "memory.events", "oom_kill");

    public long ReadKey(string file, string key)
    {
        foreach (var line in File.ReadAllLines(Path.Join(Dir, file)))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key) return long.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        throw new InvalidDataException($"{file} has no {key}");
    }

    public void Dispose()
    {
        // Processes are gone by now; a cgroup with only dead tasks' charges can still be removed.
        for (int i = 0; i < 50; i++)
        {
            try { Directory.Delete(Dir); return; }
            catch (IOException) { Thread.Sleep(100); }
            catch (UnauthorizedAccessException) { return; }
        }
    }
}
