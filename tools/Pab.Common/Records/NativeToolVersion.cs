using System.Buffers;
using System.Buffers.Binary;

namespace Pab.Common;

/// <summary>
/// The version a native (ahead-of-time compiled) tool carries: it has no assembly to read attributes from, so
/// its build put "[pab-tool-version=VERSION]" among its read-only data (ToolInfo.VersionMarker). Only the ELF
/// file's .rodata is read, a fraction of the file, in small blocks: a meta record costs little memory and I/O.
/// </summary>
internal static class NativeToolVersion
{
    private static readonly SearchValues<byte> VersionBytes =
        SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-"u8);

    /// <summary>The version in the executable at <paramref name="path"/>; null when it is missing or carries none.</summary>
    public static string? Read(string path)
    {
        if (!File.Exists(path)) return null;
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (RodataRange(f) is not var (start, length)) return null;
        ReadOnlySpan<byte> key = "[pab-tool-version="u8;
        const int Keep = 256; // a marker cut by a block's end is read whole with the next block
        byte[] block = new byte[64 * 1024];
        long at = start, end = start + length;
        int kept = 0;
        while (at < end)
        {
            int n = RandomAccess.Read(f.SafeFileHandle, block.AsSpan(kept, (int)Math.Min(block.Length - kept, end - at)), at);
            if (n <= 0) break;
            at += n;
            var data = block.AsSpan(0, kept + n);
            for (int from = 0, i; (i = data[from..].IndexOf(key)) >= 0; from += i + key.Length)
            {
                var rest = data[(from + i + key.Length)..];
                int close = rest.IndexOf((byte)']');
                // Other hits (the key itself, in the same data) are not followed by a version and its bracket.
                if (close > 0 && !rest[..close].ContainsAnyExcept(VersionBytes)) return System.Text.Encoding.UTF8.GetString(rest[..close]);
            }
            kept = Math.Min(Keep, data.Length);
            data[^kept..].CopyTo(block);
        }
        return null;
    }

    /// <summary>Where a 64-bit little-endian ELF file's .rodata section lies; null for any other file.</summary>
    private static (long Start, long Length)? RodataRange(FileStream f)
    {
        Span<byte> h = stackalloc byte[64];
        if (RandomAccess.Read(f.SafeFileHandle, h, 0) < 64 || !h[..6].SequenceEqual("\u007fELF\u0002\u0001"u8)) return null;
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(h[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[0x3A..]), shnum = BinaryPrimitives.ReadUInt16LittleEndian(h[0x3C..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(h[0x3E..]);
        if (shentsize < 64 || shnum == 0 || shstrndx >= shnum || shnum > 4096) return null;
        byte[] sections = new byte[shentsize * shnum];
        if (RandomAccess.Read(f.SafeFileHandle, sections, shoff) < sections.Length) return null;
        var names = Section(sections, shentsize, shstrndx);
        if (names.Length is <= 0 or > 1 << 20) return null;
        byte[] strtab = new byte[names.Length];
        if (RandomAccess.Read(f.SafeFileHandle, strtab, names.Start) < strtab.Length) return null;
        for (int s = 0; s < shnum; s++)
        {
            int name = BinaryPrimitives.ReadInt32LittleEndian(sections.AsSpan(s * shentsize));
            if (name < 0 || name >= strtab.Length) continue;
            var rest = strtab.AsSpan(name);
            if (rest.StartsWith(".rodata\0"u8)) return Section(sections, shentsize, s);
        }
        return null;
    }

    private static (long Start, long Length) Section(byte[] sections, int shentsize, int index)
    {
        var s = sections.AsSpan(index * shentsize);
        return (BinaryPrimitives.ReadInt64LittleEndian(s[0x18..]), BinaryPrimitives.ReadInt64LittleEndian(s[0x20..]));
    }
}
