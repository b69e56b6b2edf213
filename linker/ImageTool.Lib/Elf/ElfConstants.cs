namespace ImageTool;

/// <summary>The few ELF numbers imagetool needs (System V gABI, x86-64 psABI).</summary>
public static class ElfConstants
{
    public const byte ClassElf64 = 2;
    public const byte DataLittleEndian = 1;
    public const ushort MachineX86_64 = 62;

    public const ushort TypeRelocatable = 1;
    public const ushort TypeExecutable = 2;
    public const ushort TypeShared = 3;

    public const uint SectionSymtab = 2;
    public const uint SectionStrtab = 3;
    public const uint SectionNote = 7;
    public const uint SectionNoBits = 8;
    public const uint SectionDynsym = 11;

    public const ulong FlagAlloc = 0x2;
    public const ulong FlagExecInstr = 0x4;

    public const uint SegmentLoad = 1;
    public const uint SegmentNote = 4;
    public const uint SegmentFlagExecute = 0x1;

    public const ushort SectionIndexUndefined = 0;
    public const ushort SectionIndexLoReserve = 0xff00;
    public const ushort SectionIndexExtended = 0xffff;

    public const int HeaderSize = 64;
    public const int SectionHeaderSize = 64;
    public const int ProgramHeaderSize = 56;
    public const int SymbolSize = 24;

    /// <summary>XEN_ELFNOTE_PHYS32_ENTRY: QEMU's -kernel PVH boot looks for this note.</summary>
    public const uint XenElfnotePhys32Entry = 18;
}
