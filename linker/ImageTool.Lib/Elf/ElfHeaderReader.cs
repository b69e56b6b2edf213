namespace ImageTool;

/// <summary>Reads the file header and the section/program header tables.</summary>
internal static class ElfHeaderReader
{
    private const string Expected = "imagetool reads only ELF64 little-endian x86-64 images such as the linked kernel build/<kernel>.elf";

    public static ElfHeader Read(ElfBytes bytes, string name)
    {
        if (bytes.Length < 4 || bytes.Data[0] != 0x7f || bytes.Data[1] != (byte)'E' || bytes.Data[2] != (byte)'L' || bytes.Data[3] != (byte)'F')
        {
            throw new ImageToolException($"{name}: not an ELF file (no \\x7fELF magic); {Expected}");
        }

        if (bytes.Length < ElfConstants.HeaderSize)
        {
            throw new ImageToolException($"{name}: truncated ELF header ({bytes.Length} bytes); rebuild the image");
        }

        byte elfClass = bytes.Data[4];
        if (elfClass != ElfConstants.ClassElf64)
        {
            string what = elfClass == 1 ? "a 32-bit (ELFCLASS32) file" : $"ELF class {elfClass}";
            throw new ImageToolException($"{name}: {what}; {Expected}");
        }

        if (bytes.Data[5] != ElfConstants.DataLittleEndian)
        {
            throw new ImageToolException($"{name}: not little-endian (EI_DATA={bytes.Data[5]}); {Expected}");
        }

        ushort machine = bytes.U16(18, "e_machine");
        if (machine != ElfConstants.MachineX86_64)
        {
            throw new ImageToolException($"{name}: machine {machine} is not x86-64 (62); {Expected}");
        }

        var header = new ElfHeader(
            Type: bytes.U16(16, "e_type"),
            Entry: bytes.U64(24, "e_entry"),
            ProgramHeaderOffset: bytes.U64(32, "e_phoff"),
            ProgramHeaderCount: bytes.U16(56, "e_phnum"),
            SectionHeaderOffset: bytes.U64(40, "e_shoff"),
            SectionHeaderCount: bytes.U16(60, "e_shnum"),
            SectionNameTableIndex: bytes.U16(62, "e_shstrndx"));

        if (header.ProgramHeaderCount > 0 && bytes.U16(54, "e_phentsize") != ElfConstants.ProgramHeaderSize)
        {
            throw new ImageToolException($"{name}: program header entries are not {ElfConstants.ProgramHeaderSize} bytes; the file is corrupt, rebuild it");
        }

        if (header.SectionHeaderOffset != 0 && bytes.U16(58, "e_shentsize") != ElfConstants.SectionHeaderSize)
        {
            throw new ImageToolException($"{name}: section header entries are not {ElfConstants.SectionHeaderSize} bytes; the file is corrupt, rebuild it");
        }

        return WithExtendedCounts(bytes, header);
    }

    // Files with >= 0xff00 sections keep the real count/index in section header 0 (gABI "extended numbering").
    private static ElfHeader WithExtendedCounts(ElfBytes bytes, ElfHeader header)
    {
        if (header.SectionHeaderOffset == 0)
        {
            return header;
        }

        int count = header.SectionHeaderCount;
        int nameIndex = header.SectionNameTableIndex;
        if (count == 0)
        {
            count = checked((int)bytes.U64(header.SectionHeaderOffset + 32, "section header 0 sh_size"));
        }

        if (nameIndex == ElfConstants.SectionIndexExtended)
        {
            nameIndex = checked((int)bytes.U32(header.SectionHeaderOffset + 40, "section header 0 sh_link"));
        }

        return header with { SectionHeaderCount = count, SectionNameTableIndex = nameIndex };
    }

    public static IReadOnlyList<ElfSection> ReadSections(ElfBytes bytes, string name, ElfHeader header)
    {
        if (header.SectionHeaderOffset == 0 || header.SectionHeaderCount == 0)
        {
            return Array.Empty<ElfSection>();
        }

        var raw = new List<(uint NameOffset, ElfSection Section)>(header.SectionHeaderCount);
        for (int i = 0; i < header.SectionHeaderCount; i++)
        {
            ulong at = header.SectionHeaderOffset + (ulong)i * ElfConstants.SectionHeaderSize;
            string what = $"section header {i}";
            bytes.Slice(at, ElfConstants.SectionHeaderSize, what);
            raw.Add((bytes.U32(at, what), new ElfSection(
                Index: i,
                Name: "",
                Type: bytes.U32(at + 4, what),
                Flags: bytes.U64(at + 8, what),
                Address: bytes.U64(at + 16, what),
                Offset: bytes.U64(at + 24, what),
                Size: bytes.U64(at + 32, what),
                Link: bytes.U32(at + 40, what),
                Alignment: bytes.U64(at + 48, what),
                EntrySize: bytes.U64(at + 56, what))));
        }

        if (header.SectionNameTableIndex <= 0 || header.SectionNameTableIndex >= raw.Count)
        {
            return raw.Select(r => r.Section with { Name = $"section{r.Section.Index}" }).ToArray();
        }

        var names = raw[header.SectionNameTableIndex].Section;
        return raw.Select(r => r.Section with
        {
            Name = bytes.CString(names.Offset, names.Size, r.NameOffset, $"section {r.Section.Index}"),
        }).ToArray();
    }

    public static IReadOnlyList<ElfSegment> ReadSegments(ElfBytes bytes, string name, ElfHeader header)
    {
        if (header.ProgramHeaderOffset == 0)
        {
            return Array.Empty<ElfSegment>();
        }

        var segments = new ElfSegment[header.ProgramHeaderCount];
        for (int i = 0; i < segments.Length; i++)
        {
            ulong at = header.ProgramHeaderOffset + (ulong)i * ElfConstants.ProgramHeaderSize;
            string what = $"program header {i}";
            bytes.Slice(at, ElfConstants.ProgramHeaderSize, what);
            segments[i] = new ElfSegment(
                Index: i,
                Type: bytes.U32(at, what),
                Flags: bytes.U32(at + 4, what),
                Offset: bytes.U64(at + 8, what),
                VirtualAddress: bytes.U64(at + 16, what),
                PhysicalAddress: bytes.U64(at + 24, what),
                FileSize: bytes.U64(at + 32, what),
                MemorySize: bytes.U64(at + 40, what),
                Alignment: bytes.U64(at + 48, what));
        }

        return segments;
    }
}
