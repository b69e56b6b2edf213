using System.Buffers.Binary;
using System.Text;

namespace Runner.Nested;

/// <summary>
/// Reads a kernel module's `.modinfo` section (NUL-separated key=value strings that modpost
/// writes): `depends=` is how a module names the modules it needs, which is what depmod
/// turns into modules.dep. A Debian kernel package ships no modules.dep (its postinst runs
/// depmod), so the initramfs builds one from these.
/// </summary>
public static class ModInfo
{
    const int ElfHeaderSize = 64;
    const int SectionHeaderSize = 64;

    /// <exception cref="InvalidDataException">not a 64-bit little-endian ELF object with a .modinfo section</exception>
    public static IReadOnlyList<string> Depends(ReadOnlySpan<byte> elf)
    {
        var depends = Field(elf, "depends");
        return depends is null or "" ? [] : depends.Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    public static string? Field(ReadOnlySpan<byte> elf, string key)
    {
        var section = Section(elf, ".modinfo");
        var prefix = key + "=";
        foreach (var entry in Encoding.UTF8.GetString(section).Split('\0'))
            if (entry.StartsWith(prefix, StringComparison.Ordinal))
                return entry[prefix.Length..];
        return null;
    }

    static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> elf, string name)
    {
        if (elf.Length < ElfHeaderSize || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(elf[0x28..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3c..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3e..]);
        if (shoff <= 0 || shoff + (long)shnum * SectionHeaderSize > elf.Length || shstrndx >= shnum)
            throw new InvalidDataException("section headers out of range");

        ReadOnlySpan<byte> Header(ReadOnlySpan<byte> file, int i) => file.Slice((int)shoff + i * SectionHeaderSize, SectionHeaderSize);
        ReadOnlySpan<byte> Body(ReadOnlySpan<byte> file, ReadOnlySpan<byte> header)
        {
            long offset = BinaryPrimitives.ReadInt64LittleEndian(header[0x18..]);
            long size = BinaryPrimitives.ReadInt64LittleEndian(header[0x20..]);
            if (offset < 0 || size < 0 || offset + size > file.Length)
                throw new InvalidDataException("section body out of range");
            return file.Slice((int)offset, (int)size);
        }

        var names = Body(elf, Header(elf, shstrndx));
        for (int i = 0; i < shnum; i++)
        {
            var header = Header(elf, i);
            int nameOffset = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (nameOffset < 0 || nameOffset >= names.Length) continue;
            var rest = names[nameOffset..];
            int end = rest.IndexOf((byte)0);
            if (end >= 0 && Encoding.ASCII.GetString(rest[..end]) == name)
                return Body(elf, header);
        }
        throw new InvalidDataException($"no {name} section");
    }
}
