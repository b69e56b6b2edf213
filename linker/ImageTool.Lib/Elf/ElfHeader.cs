namespace ImageTool;

internal sealed record ElfHeader(
    ushort Type,
    ulong Entry,
    ulong ProgramHeaderOffset,
    int ProgramHeaderCount,
    ulong SectionHeaderOffset,
    int SectionHeaderCount,
    int SectionNameTableIndex);
