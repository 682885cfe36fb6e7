using System.Text.Json;
using Pab.Common;
using Pab.Exhaust;

namespace Pab.Tests.Common;

/// <summary>The meta record every tool writes: one factory, tool_versions read from the installed tools.</summary>
public sealed class MetaRecordTests
{
    [Fact]
    public void ToolVersionsNameEveryToolInstalledBesideThisOne()
    {
        // The test's own folder holds the four tools' assemblies, as build/bin does.
        var versions = ToolInfo.InstalledVersions();
        Assert.Equal(ToolInfo.Tools.Order(), versions.Keys.Order());
        Assert.All(versions.Values, v => Assert.Equal(ToolInfo.Version, v));
    }

    [Fact]
    public void ToolsNotInstalledOrUnreadableAreLeftOut()
    {
        using var dir = new TempDir("pab-tool-versions");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "pab-report.dll"), dir.Of("pab-report.dll"));
        File.WriteAllText(dir.Of("pab-load.dll"), "not an assembly");
        var versions = ToolInfo.InstalledVersions(dir.Path);
        Assert.Equal(["pab-report"], versions.Keys);
        Assert.Equal(ToolInfo.Version, versions["pab-report"]);
    }

    [Fact]
    public void NativeToolsCarryTheirVersion()
    {
        // Published native executables have no assembly beside them: their build put the version in them.
        var versions = ToolInfo.InstalledVersions(Path.GetDirectoryName(PublishedTools.Of("pab-load")));
        Assert.Equal(ToolInfo.Tools.Order(), versions.Keys.Order());
        Assert.All(versions.Values, v => Assert.Equal(ToolInfo.Version, v));
    }

    [Fact]
    public void FilesWithoutAVersionAreLeftOut()
    {
        using var dir = new TempDir("pab-tool-versions");
        File.Copy(PublishedTools.Of("pab-exhaust"), dir.Of("pab-exhaust"));
        File.WriteAllText(dir.Of("pab-load"), "not an executable");
        File.Copy(PublishedTools.Of("pab-fill"), dir.Of("pab-antagonize")); // an ELF file built without one
        var versions = ToolInfo.InstalledVersions(dir.Path);
        Assert.Equal(["pab-exhaust"], versions.Keys);
        Assert.Equal(ToolInfo.Version, versions["pab-exhaust"]);
    }

    [Fact]
    public void MetaCarriesHostOptionsAndToolVersionsOnTheWire()
    {
        var meta = Pab.Common.Record.Meta(new HostInfo { KernelRelease = "6.1.0-57-amd64", ModuleAbi = HostInfo.OriginalModuleAbi },
            new() { ["order"] = "4" });
        var json = JsonDocument.Parse(JsonSerializer.Serialize(meta, RecordJsonContext.Default.Record)).RootElement;
        Assert.Equal("meta", json.GetProperty("type").GetString());
        Assert.Equal("6.1.0-57-amd64", json.GetProperty("host").GetProperty("kernel_release").GetString());
        Assert.Equal("original", json.GetProperty("host").GetProperty("module_abi").GetString());
        Assert.Equal("4", json.GetProperty("options").GetProperty("order").GetString());
        Assert.Equal(ToolInfo.Version, json.GetProperty("tool_versions").GetProperty("pab-exhaust").GetString());
    }

    [Fact]
    public void PabExhaustsMetaHoldsItsSettings()
    {
        var settings = new ExhaustSettings { Iterations = 3, Label = "antagonized", Order = 4, MaxBytes = 1L << 30, Workers = 2 };
        var meta = ExhaustMeta.Of(settings, new HostInfo { KernelRelease = "6.12.117+deb13-amd64" });
        Assert.Equal(RecordType.Meta, meta.Type);
        Assert.Equal("antagonized", meta.Label);
        Assert.Equal(4, meta.Order);
        Assert.Equal("6.12.117+deb13-amd64", meta.Host!.KernelRelease);
        Assert.Equal("3", meta.Options!["iterations"]);
        Assert.Equal("4", meta.Options["order"]);
        Assert.Equal((1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), meta.Options["max_bytes"]);
        Assert.Equal("2", meta.Options["workers"]);
        Assert.Equal(ExhaustSettings.DefaultChunk.ToString(System.Globalization.CultureInfo.InvariantCulture), meta.Options["chunk_bytes"]);
        Assert.NotNull(meta.ToolVersions);
    }

    [Fact]
    public void PabExhaustWritesTheMetaRecordFirst()
    {
        // --max-bytes ends the fill before the OOM killer would: a real run, harmless on any host.
        var r = Exec.Run(PublishedTools.Of("pab-exhaust"),
            ["--iterations", "1", "--max-bytes", "32M", "--chunk", "1M"], TimeSpan.FromSeconds(120));
        Assert.True(r.Code == 0, r.Stderr);
        var records = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize(l, RecordJsonContext.Default.Record)!).ToList();
        // The kernel's account of the phase (Pab.Common.Kernel) aside: the meta record, then the iteration's.
        Assert.Equal([RecordType.Meta, RecordType.Metric],
            records.Where(x => !Pab.Common.Kernel.AccountMetrics.TrySplit(x.Metric ?? "", out _, out _)).Select(x => x.Type));
        var meta = records[0];
        Assert.Equal("pab-exhaust", meta.Tool);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), meta.Host!.KernelRelease);
        Assert.NotNull(meta.Host.MemTotalBytes);
        Assert.Equal("1", meta.Options!["iterations"]);
        Assert.Equal(ToolInfo.Version, meta.ToolVersions!["pab-exhaust"]);
        Assert.Equal(meta.Run, records[1].Run);
    }
}
