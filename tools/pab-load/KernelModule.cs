using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Pab.Load;

/// <summary>Facts read from a .ko file's .modinfo section.</summary>
public sealed record ModInfo(string? Name, string? Version, string? SrcVersion, string? VerMagic)
{
    /// <summary>The kernel release the module was built for: vermagic's first word.</summary>
    public string? KernelRelease => VerMagic?.Split(' ', 2)[0];

    private static readonly byte[] ElfMagic = [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>Reads .modinfo from an uncompressed ELF64 little-endian module.</summary>
    public static ModInfo Read(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        ReadOnlySpan<byte> s = elf;
        if (s.Length < 64 || !s[..4].SequenceEqual(ElfMagic))
            throw new InvalidDataException($"{path} is not an ELF file");
        if (s[4] != 2 || s[5] != 1)
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file");
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(s[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3C..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3E..]);
        if (shentsize < 0x28 || shstrndx >= shnum || shoff + (ulong)(shnum * shentsize) > (ulong)s.Length)
            throw new InvalidDataException($"{path} has a damaged section header table");

        ReadOnlySpan<byte> Section(int i, out uint nameOffset)
        {
            var h = elf.AsSpan((int)shoff + i * shentsize, shentsize);
            nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(h);
            ulong off = BinaryPrimitives.ReadUInt64LittleEndian(h[0x18..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(h[0x20..]);
            if (off + size > (ulong)elf.Length)
                throw new InvalidDataException($"{path}: section {i} lies outside the file");
            return elf.AsSpan((int)off, (int)size);
        }

        var names = Section(shstrndx, out _);
        for (int i = 0; i < shnum; i++)
        {
            var data = Section(i, out uint nameOffset);
            if (nameOffset >= names.Length) continue;
            var name = names[(int)nameOffset..];
            int end = name.IndexOf((byte)0);
            if (!name[..(end < 0 ? name.Length : end)].SequenceEqual(".modinfo"u8)) continue;
            var fields = new Dictionary<string, string>();
            foreach (var entry in Encoding.UTF8.GetString(data).Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = entry.IndexOf('=');
                if (eq > 0) fields.TryAdd(entry[..eq], entry[(eq + 1)..]);
            }
            return new ModInfo(fields.GetValueOrDefault("name"), fields.GetValueOrDefault("version"),
                fields.GetValueOrDefault("srcversion"), fields.GetValueOrDefault("vermagic"));
        }
        throw new InvalidDataException($"{path} has no .modinfo section: not a kernel module");
    }
}

/// <summary>The kernel's module syscalls, called directly so the guest needs no kmod tools.</summary>
internal static partial class ModuleSyscalls
{
    private const long SYS_finit_module = 313, SYS_delete_module = 176; // x86-64
    private const int O_NONBLOCK = 0x800;

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, nint a, nint b, nint c);

    /// <summary>Returns 0 or the errno.</summary>
    public static int FinitModule(SafeHandle file)
    {
        nint empty = Marshal.StringToCoTaskMemUTF8("");
        try
        {
            bool added = false;
            file.DangerousAddRef(ref added);
            long rc = syscall(SYS_finit_module, file.DangerousGetHandle(), empty, 0);
            file.DangerousRelease();
            return rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        finally { Marshal.FreeCoTaskMem(empty); }
    }

    /// <summary>Returns 0 or the errno; never waits for users to go away.</summary>
    public static int DeleteModule(string name)
    {
        nint n = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            long rc = syscall(SYS_delete_module, n, O_NONBLOCK, 0);
            return rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        finally { Marshal.FreeCoTaskMem(n); }
    }
}
