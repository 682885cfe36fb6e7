using System.Text;
using Pab.Common;

namespace Pab.Tests.Common;

public class AtomicFileTests
{
    private static void WriteText(Stream s, string text) => s.Write(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ContentLandsAndNoTemporaryFileIsLeft()
    {
        using var dir = new TempDir("pab-atomic-");
        string path = dir.Of("out.txt");
        AtomicFile.Write(path, s => WriteText(s, "first"));
        Assert.Equal("first", File.ReadAllText(path));
        AtomicFile.Write(path, s => WriteText(s, "second, longer"));
        Assert.Equal("second, longer", File.ReadAllText(path));
        Assert.Equal(["out.txt"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AReaderOfTheOldFileKeepsReadingItWhole()
    {
        using var dir = new TempDir("pab-atomic-");
        string path = dir.Of("page.html");
        File.WriteAllText(path, "old page");
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        AtomicFile.Write(path, s => WriteText(s, "new page"));
        // Replaced by a rename, not rewritten in place.
        Assert.Equal("old page", new StreamReader(reader).ReadToEnd());
        Assert.Equal("new page", File.ReadAllText(path));
    }

    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDir("pab-atomic-");
        string path = dir.Of("out.txt");
        File.WriteAllText(path, "good");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            WriteText(s, "half");
            throw new InvalidOperationException("writer failed");
        }));
        Assert.Equal("writer failed", e.Message);
        Assert.Equal("good", File.ReadAllText(path));
        Assert.Equal(["out.txt"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedRenameLeavesNoTemporaryFile()
    {
        using var dir = new TempDir("pab-atomic-");
        Directory.CreateDirectory(dir.Of("taken"));
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(dir.Of("taken"), s => WriteText(s, "x")));
        Assert.True(Directory.Exists(dir.Of("taken")));
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        // A folder that does not exist: nothing is created.
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(dir.Of("no/such/out.txt"), s => WriteText(s, "x")));
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }
}
