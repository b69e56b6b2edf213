using System.Buffers.Binary;

namespace Runner.Qemu;

/// <summary>
/// Writes the smallest ELF that QEMU's `-kernel` boots through PVH: one PT_LOAD with the
/// code and one PT_NOTE of type XEN_ELFNOTE_PHYS32_ENTRY (18), name "Xen", whose
/// descriptor is the 32-bit entry. Without that note QEMU would not treat it as PVH.
/// </summary>
public static class PvhImage
{
    public const uint XenElfNotePhys32Entry = 18;
    public const uint PtLoad = 1;
    public const uint PtNote = 4;

    const int ElfHeaderSize = 52;
    const int ProgramHeaderSize = 32;
    const int NoteOffset = ElfHeaderSize + 2 * ProgramHeaderSize;
    const int NoteSize = 12 + 4 + 4; // header, "Xen\0", 32-bit entry
    // The loaded code starts on its own page so p_offset and p_vaddr agree modulo p_align.
    const int CodeOffset = 0x1000;

    public static byte[] Build(ReadOnlySpan<byte> code, uint loadAddress)
    {
        var image = new byte[CodeOffset + code.Length];
        var s = image.AsSpan();

        // ELF header: 32-bit, little-endian, ET_EXEC, EM_386.
        s[0] = 0x7f; s[1] = (byte)'E'; s[2] = (byte)'L'; s[3] = (byte)'F';
        s[4] = 1; s[5] = 1; s[6] = 1;
        U16(s, 16, 2);
        U16(s, 18, 3);
        U32(s, 20, 1);
        U32(s, 24, loadAddress);
        U32(s, 28, ElfHeaderSize);
        U32(s, 32, 0);
        U32(s, 36, 0);
        U16(s, 40, ElfHeaderSize);
        U16(s, 42, ProgramHeaderSize);
        U16(s, 44, 2);
        U16(s, 46, 40);
        U16(s, 48, 0);
        U16(s, 50, 0);

        WriteProgramHeader(s[ElfHeaderSize..], PtLoad, CodeOffset, loadAddress, (uint)code.Length, flags: 5, align: 0x1000);
        WriteProgramHeader(s[(ElfHeaderSize + ProgramHeaderSize)..], PtNote, NoteOffset, 0, NoteSize, flags: 4, align: 4);

        var note = s[NoteOffset..];
        U32(note, 0, 4);
        U32(note, 4, 4);
        U32(note, 8, XenElfNotePhys32Entry);
        "Xen\0"u8.CopyTo(note[12..]);
        U32(note, 16, loadAddress);

        code.CopyTo(s[CodeOffset..]);
        return image;
    }

    static void WriteProgramHeader(Span<byte> p, uint type, uint offset, uint address, uint size, uint flags, uint align)
    {
        U32(p, 0, type);
        U32(p, 4, offset);
        U32(p, 8, address);
        U32(p, 12, address);
        U32(p, 16, size);
        U32(p, 20, size);
        U32(p, 24, flags);
        U32(p, 28, align);
    }

    static void U16(Span<byte> s, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(s[at..], v);
    static void U32(Span<byte> s, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(s[at..], v);
}
