namespace ImageTool;

/// <param name="Source">Where the note was found, e.g. "section .note.pvh" or "segment PT_NOTE #1".</param>
/// <param name="FileOffset">Lets a note seen through both a section and a segment be counted once.</param>
public sealed record ElfNote(string Name, uint Type, byte[] Descriptor, ulong FileOffset, string Source);
