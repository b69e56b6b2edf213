namespace ImageTool;

public sealed record ElfSegment(
    int Index,
    uint Type,
    uint Flags,
    ulong Offset,
    ulong VirtualAddress,
    ulong PhysicalAddress,
    ulong FileSize,
    ulong MemorySize,
    ulong Alignment)
{
    public bool IsLoad => Type == ElfConstants.SegmentLoad;

    public bool IsExecutable => (Flags & ElfConstants.SegmentFlagExecute) != 0;

    // PVH entry points are physical; QEMU loads by p_paddr, so either view may be what the note names.
    public bool ContainsPhysical(ulong address) =>
        address >= PhysicalAddress && address - PhysicalAddress < MemorySize;

    public bool ContainsVirtual(ulong address) =>
        address >= VirtualAddress && address - VirtualAddress < MemorySize;
}
