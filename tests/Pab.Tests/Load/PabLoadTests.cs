using System.Diagnostics;
using Pab.Common;
using Pab.Load;

namespace Pab.Tests.Load;

/// <summary>pab-load's decisions before any syscall, against a fake /proc and /sys and a real ELF object.</summary>
public class PabLoadTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pab-load").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private string Write(string path, string text)
    {
        string full = Path.Combine(_root, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    /// <summary>Compiles an ELF object whose .modinfo looks like a module's.</summary>
    private string FakeKo(string release, string srcversion)
    {
        string src = Write("src/mod.c", $$"""
            static const char a[] __attribute__((used, section(".modinfo"))) = "version=9.9.9";
            static const char b[] __attribute__((used, section(".modinfo"))) = "srcversion={{srcversion}}";
            static const char c[] __attribute__((used, section(".modinfo"))) = "vermagic={{release}} SMP preempt mod_unload modversions ";
            static const char d[] __attribute__((used, section(".modinfo"))) = "name=page_alloc_bench";
            int f(void) { return 0; }
            """);
        string ko = Path.Combine(_root, "src", "page_alloc_bench.ko");
        using var p = Process.Start("cc", $"-c -o {ko} {src}");
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return ko;
    }

    private void Kernel(string release)
    {
        Write("/proc/modules", "");
        Write("/proc/sys/kernel/osrelease", release + "\n");
    }

    private void LoadedModule(string srcversion)
    {
        Write("/sys/module/page_alloc_bench/initstate", "live\n");
        Write("/sys/module/page_alloc_bench/srcversion", srcversion + "\n");
        Write("/sys/module/page_alloc_bench/version", "9.9.9\n");
    }

    [Fact]
    public void ReadsModinfoOfAnElfObject()
    {
        var info = ModInfo.Read(FakeKo("6.1.0-56-amd64", "ABC123"));
        Assert.Equal("9.9.9", info.Version);
        Assert.Equal("ABC123", info.SrcVersion);
        Assert.Equal("6.1.0-56-amd64", info.KernelRelease);
        Assert.Equal("page_alloc_bench", info.Name);
    }

    [Fact]
    public void NonElfFileIsRejectedWithItsName()
    {
        string path = Write("not.ko", "hello, this is not an ELF file at all, but long enough to be read as one....");
        var e = Assert.Throws<InvalidDataException>(() => ModInfo.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ModuleForAnotherKernelIsRefusedBeforeLoading()
    {
        Kernel("6.12.0-1-amd64");
        string ko = FakeKo("6.1.0-56-amd64", "ABC");
        Assert.Equal(ExitCode.WrongKernel, new ModuleLifecycle(_root).Insert(ko));
    }

    [Fact]
    public void SameBuildAlreadyLoadedIsNotAnError()
    {
        Kernel("6.1.0-56-amd64");
        LoadedModule("ABC");
        Assert.Equal(ExitCode.Ok, new ModuleLifecycle(_root).Insert(FakeKo("6.1.0-56-amd64", "ABC")));
    }

    [Fact]
    public void AnotherBuildAlreadyLoadedIsAnError()
    {
        Kernel("6.1.0-56-amd64");
        LoadedModule("OTHER");
        Assert.Equal(ExitCode.OtherBuildLoaded, new ModuleLifecycle(_root).Insert(FakeKo("6.1.0-56-amd64", "ABC")));
    }

    [Fact]
    public void MissingModuleFileHasItsOwnCode()
    {
        Kernel("6.1.0-56-amd64");
        Assert.Equal(ExitCode.ModuleFileMissing, new ModuleLifecycle(_root).Insert(Path.Combine(_root, "nope.ko")));
    }

    [Fact]
    public void KernelWithoutModulesIsNamed()
    {
        Write("/proc/sys/kernel/osrelease", "6.18.0\n");
        Assert.Equal(ExitCode.NoModuleSupport, new ModuleLifecycle(_root).Status());
        Assert.Equal(ExitCode.NoModuleSupport, new ModuleLifecycle(_root).Insert("x.ko"));
    }

    [Fact]
    public void StatusOfUnloadedModuleIsExit3AndRemoveIsANoOp()
    {
        Kernel("6.1.0-56-amd64");
        Assert.Equal(ExitCode.NotLoaded, new ModuleLifecycle(_root).Status());
        Assert.Equal(ExitCode.Ok, new ModuleLifecycle(_root).Remove(force: false));
    }

    [Fact]
    public void StatusOfLoadedModuleWithoutItsFileStillSucceeds()
    {
        Kernel("6.1.0-56-amd64");
        LoadedModule("ABC");
        Assert.Equal(ExitCode.Ok, new ModuleLifecycle(_root).Status());
    }

    [Fact]
    public void UnknownOptionIsNamedAndFails()
    {
        var result = LoadCommand.Build().Parse(["insert", "--kko", "x"]);
        Assert.NotEmpty(result.Errors);
        Assert.Contains(result.Errors, e => e.Message.Contains("--kko"));
        Assert.NotEqual(0, result.Invoke());
    }
}
