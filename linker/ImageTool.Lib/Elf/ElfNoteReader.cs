using System.Text;

namespace ImageTool;

/// <summary>
/// Reads notes from SHT_NOTE sections and PT_NOTE segments. A linked image usually exposes the
/// same notes both ways; they are deduplicated by file offset.
/// </summary>
internal static class ElfNoteReader
{
    public static IReadOnlyList<ElfNote> Read(ElfBytes bytes, IReadOnlyList<ElfSection> sections, IReadOnlyList<ElfSegment> segments)
    {
        var notes = new List<ElfNote>();
        var seen = new HashSet<ulong>();
        foreach (var section in sections.Where(s => s.Type == ElfConstants.SectionNote))
        {
            ReadArea(bytes, section.Offset, section.Size, section.Alignment, $"section {section.Name}", notes, seen);
        }

        foreach (var segment in segments.Where(s => s.Type == ElfConstants.SegmentNote))
        {
            ReadArea(bytes, segment.Offset, segment.FileSize, segment.Alignment, $"segment PT_NOTE #{segment.Index}", notes, seen);
        }

        return notes;
    }

    private static void ReadArea(ElfBytes bytes, ulong offset, ulong size, ulong alignment, string source, List<ElfNote> notes, HashSet<ulong> seen)
    {
        // gABI says 4-byte padding, but 8-aligned note areas (e.g. .note.gnu.property) pad to 8.
        ulong align = alignment == 8 ? 8UL : 4UL;
        ulong end = offset + size;
        ulong at = offset;
        while (at + 12 <= end)
        {
            string what = $"note in {source}";
            uint nameSize = bytes.U32(at, what);
            uint descSize = bytes.U32(at + 4, what);
            uint type = bytes.U32(at + 8, what);
            ulong nameAt = at + 12;
            // Padding is relative to the area start, which the linker aligned.
            ulong descAt = offset + AlignUp(nameAt + nameSize - offset, align);
            ulong next = offset + AlignUp(descAt + descSize - offset, align);
            if (descAt + descSize > end)
            {
                throw new ImageToolException(
                    $"{what} at file offset 0x{at:x} overruns its area (name {nameSize} bytes, descriptor {descSize} bytes); " +
                    "check the note's dd/db layout in the boot code");
            }

            var name = bytes.Slice(nameAt, nameSize, what).ToArray();
            int nul = Array.IndexOf(name, (byte)0);
            string text = Encoding.ASCII.GetString(name, 0, nul < 0 ? name.Length : nul);
            if (seen.Add(at))
            {
                notes.Add(new ElfNote(text, type, bytes.Slice(descAt, descSize, what).ToArray(), at, source));
            }

            at = next;
        }
    }

    private static ulong AlignUp(ulong value, ulong align) => (value + align - 1) & ~(align - 1);
}
