using System.Buffers.Binary;

namespace ImageTool;

/// <summary>
/// Finds the Xen PVH entry note (name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY) that QEMU's -kernel
/// loader needs to boot an ELF without a BIOS boot protocol.
/// </summary>
public static class PvhEntry
{
    /// <summary>The entry address, or a message saying what is wrong and how to fix it.</summary>
    public static (ulong? Entry, string? Problem) Find(ElfImage image)
    {
        var notes = image.Notes.Where(n => n.Name == "Xen" && n.Type == ElfConstants.XenElfnotePhys32Entry).ToList();
        if (notes.Count == 0)
        {
            return (null,
                "no PVH note: QEMU -kernel needs an ELF note named \"Xen\" of type 18 (XEN_ELFNOTE_PHYS32_ENTRY) " +
                "holding the 32-bit entry address; add it to the boot code in a section of type note " +
                "(NASM: section .note.pvh note alloc) and keep it in a PT_NOTE segment in the linker script");
        }

        var note = notes[0];
        ulong entry = note.Descriptor.Length switch
        {
            4 => BinaryPrimitives.ReadUInt32LittleEndian(note.Descriptor),
            8 => BinaryPrimitives.ReadUInt64LittleEndian(note.Descriptor),
            _ => ulong.MaxValue,
        };
        if (entry == ulong.MaxValue)
        {
            return (null,
                $"PVH note in {note.Source} has a {note.Descriptor.Length}-byte descriptor; it must be the 4-byte " +
                "(dd) or 8-byte (dq) entry address");
        }

        var loads = image.Segments.Where(s => s.IsLoad).ToList();
        if (!loads.Any(s => s.ContainsPhysical(entry) || s.ContainsVirtual(entry)))
        {
            string where = loads.Count == 0
                ? "the image has no PT_LOAD segment (link it into an executable, not a relocatable object)"
                : "it is outside every PT_LOAD segment (" +
                  string.Join(", ", loads.Select(s => $"0x{s.PhysicalAddress:x}-0x{s.PhysicalAddress + s.MemorySize:x}")) + ")";
            return (null, $"PVH entry 0x{entry:x} from {note.Source} is not loaded: {where}; point the note at the 32-bit entry label");
        }

        return (entry, null);
    }
}
