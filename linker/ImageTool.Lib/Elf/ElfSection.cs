namespace ImageTool;

public sealed record ElfSection(
    int Index,
    string Name,
    uint Type,
    ulong Flags,
    ulong Address,
    ulong Offset,
    ulong Size,
    uint Link,
    ulong Alignment,
    ulong EntrySize)
{
    public bool IsExecutable => (Flags & ElfConstants.FlagExecInstr) != 0;

    public bool HasFileData => Type != ElfConstants.SectionNoBits;

    public ulong End => Address + Size;

    public bool Contains(ulong address) => address >= Address && address < End;
}
