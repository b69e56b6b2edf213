using System.Text;

namespace ImageTool.Tests;

/// <summary>
/// Writes a minimal linked ELF64 x86-64 executable: one .text section loaded at
/// <see cref="TextAddress"/> by a PT_LOAD segment, an optional PVH note (section and PT_NOTE
/// segment), and .symtab/.strtab/.shstrtab. Just enough for imagetool's checks, built in-test so
/// every test states the exact bytes it depends on.
/// </summary>
internal sealed class ElfBuilder
{
    public const ulong TextAddress = 0x100000;
    public const int TextSectionIndex = 1;

    private readonly List<(string Name, ulong Offset, byte Info, bool Undefined)> _symbols = [];
    private readonly List<(string Name, uint Type, byte[] Descriptor)> _notes = [];

    public ElfBuilder(params byte[] text)
    {
        Text = text;
    }

    public byte[] Text { get; }

    /// <summary>Padding of note names and descriptors: 4 (gABI) or 8 (as in .note.gnu.property).</summary>
    public int NoteAlignment { get; init; } = 4;

    /// <summary>Zero-filled bytes the PT_LOAD segment adds in memory beyond the file contents.</summary>
    public ulong BssSize { get; init; }

    /// <summary>A symbol at <paramref name="offset"/> bytes into .text.</summary>
    public ElfBuilder Symbol(string name, ulong offset, ElfSymbolType type = ElfSymbolType.Func, ElfSymbolBinding binding = ElfSymbolBinding.Global)
    {
        _symbols.Add((name, offset, (byte)(((byte)binding << 4) | (byte)type), false));
        return this;
    }

    public ElfBuilder Undefined(string name)
    {
        _symbols.Add((name, 0, (byte)(((byte)ElfSymbolBinding.Global << 4) | (byte)ElfSymbolType.NoType), true));
        return this;
    }

    public ElfBuilder PvhNote(ulong entry = TextAddress, int descriptorSize = 4, uint type = 18, string name = "Xen")
    {
        return Note(name, type, descriptorSize switch
        {
            4 => BitConverter.GetBytes((uint)entry),
            8 => BitConverter.GetBytes(entry),
            _ => new byte[descriptorSize],
        });
    }

    public ElfBuilder Note(string name, uint type, byte[] descriptor)
    {
        _notes.Add((name, type, descriptor));
        return this;
    }

    public byte[] Build()
    {
        bool hasNote = _notes.Count > 0;
        int phnum = hasNote ? 2 : 1;
        var strtab = new StringTable();
        var shstrtab = new StringTable();

        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(new byte[64]);
        long phOffset = stream.Position;
        w.Write(new byte[56 * phnum]);

        long textOffset = Align(w, 16);
        w.Write(Text);

        long noteOffset = Align(w, NoteAlignment);
        foreach (var (noteName, type, descriptor) in _notes)
        {
            var name = Encoding.ASCII.GetBytes(noteName + "\0");
            w.Write((uint)name.Length);
            w.Write((uint)descriptor.Length);
            w.Write(type);
            w.Write(name);
            Align(w, NoteAlignment);
            w.Write(descriptor);
            Align(w, NoteAlignment);
        }

        long noteSize = stream.Position - noteOffset;

        long symtabOffset = Align(w, 8);
        w.Write(new byte[24]);
        foreach (var (name, offset, info, undefined) in _symbols)
        {
            w.Write(strtab.Add(name));
            w.Write(info);
            w.Write((byte)0);
            w.Write((ushort)(undefined ? 0 : TextSectionIndex));
            w.Write(undefined ? 0UL : TextAddress + offset);
            w.Write(0UL); // st_size 0, as ilc emits: extents come from the next symbol
        }

        long symtabSize = stream.Position - symtabOffset;
        long strtabOffset = stream.Position;
        w.Write(strtab.Bytes);
        var sections = new List<(string Name, uint Type, ulong Flags, ulong Address, long Offset, long Size, uint Link, uint Info, ulong Align, ulong EntSize)>
        {
            (".text", 1, 0x6, TextAddress, textOffset, Text.Length, 0, 0, 16, 0),
        };
        if (hasNote)
        {
            sections.Add((".note.pvh", 7, 0x2, TextAddress + (ulong)(noteOffset - textOffset), noteOffset, noteSize, 0, 0, (ulong)NoteAlignment, 0));
        }

        int strtabIndex = sections.Count + 2;
        sections.Add((".symtab", 2, 0, 0, symtabOffset, symtabSize, (uint)strtabIndex, 1, 8, 24));
        sections.Add((".strtab", 3, 0, 0, strtabOffset, strtab.Bytes.Length, 0, 0, 1, 0));
        int shstrtabIndex = sections.Count + 1;
        var nameOffsets = sections.Select(s => shstrtab.Add(s.Name)).ToList();
        uint shstrtabName = shstrtab.Add(".shstrtab");
        long shstrtabOffset = stream.Position;
        w.Write(shstrtab.Bytes);
        sections.Add((".shstrtab", 3, 0, 0, shstrtabOffset, shstrtab.Bytes.Length, 0, 0, 1, 0));
        nameOffsets.Add(shstrtabName);

        long shOffset = Align(w, 8);
        w.Write(new byte[64]);
        for (int i = 0; i < sections.Count; i++)
        {
            var s = sections[i];
            w.Write(nameOffsets[i]);
            w.Write(s.Type);
            w.Write(s.Flags);
            w.Write(s.Address);
            w.Write((ulong)s.Offset);
            w.Write((ulong)s.Size);
            w.Write(s.Link);
            w.Write(s.Info);
            w.Write(s.Align);
            w.Write(s.EntSize);
        }

        stream.Position = phOffset;
        ulong loadSize = (ulong)(noteOffset + noteSize - textOffset);
        WriteSegment(w, type: 1, flags: 5, textOffset, TextAddress, loadSize, loadSize + BssSize, 16);
        if (hasNote)
        {
            WriteSegment(w, type: 4, flags: 4, noteOffset, TextAddress + (ulong)(noteOffset - textOffset), (ulong)noteSize, (ulong)noteSize, (ulong)NoteAlignment);
        }

        stream.Position = 0;
        w.Write(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0 });
        w.Write(new byte[8]);
        w.Write((ushort)2);  // ET_EXEC
        w.Write((ushort)62); // EM_X86_64
        w.Write(1u);
        w.Write(TextAddress);
        w.Write((ulong)phOffset);
        w.Write((ulong)shOffset);
        w.Write(0u);
        w.Write((ushort)64);
        w.Write((ushort)56);
        w.Write((ushort)phnum);
        w.Write((ushort)64);
        w.Write((ushort)(sections.Count + 1));
        w.Write((ushort)shstrtabIndex);
        w.Flush();
        return stream.ToArray();
    }

    public ElfImage Load() => ElfImage.FromBytes(Build(), "test.elf");

    private static void WriteSegment(BinaryWriter w, uint type, uint flags, long offset, ulong address, ulong fileSize, ulong memorySize, ulong align)
    {
        w.Write(type);
        w.Write(flags);
        w.Write((ulong)offset);
        w.Write(address);
        w.Write(address);
        w.Write(fileSize);
        w.Write(memorySize);
        w.Write(align);
    }

    private static long Align(BinaryWriter w, int alignment)
    {
        while (w.BaseStream.Position % alignment != 0)
        {
            w.Write((byte)0);
        }

        return w.BaseStream.Position;
    }

    private sealed class StringTable
    {
        private readonly MemoryStream _bytes = new();

        public StringTable()
        {
            _bytes.WriteByte(0);
        }

        public byte[] Bytes => _bytes.ToArray();

        public uint Add(string name)
        {
            uint offset = (uint)_bytes.Length;
            _bytes.Write(Encoding.UTF8.GetBytes(name + "\0"));
            return offset;
        }
    }
}
