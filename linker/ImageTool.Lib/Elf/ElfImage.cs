namespace ImageTool;

/// <summary>
/// A parsed ELF64 little-endian x86-64 file: headers, sections, segments, symbols and notes.
/// Only what imagetool's checks need; anything else is rejected with an <see cref="ImageToolException"/>.
/// </summary>
public sealed class ElfImage
{
    private readonly ElfBytes _bytes;

    private ElfImage(string name, ElfBytes bytes)
    {
        Name = name;
        _bytes = bytes;
        var header = ElfHeaderReader.Read(bytes, name);
        Type = header.Type;
        Entry = header.Entry;
        Sections = ElfHeaderReader.ReadSections(bytes, name, header);
        Segments = ElfHeaderReader.ReadSegments(bytes, name, header);
        Symbols = ElfSymbolReader.Read(bytes, Sections);
        Notes = ElfNoteReader.Read(bytes, Sections, Segments);
    }

    /// <summary>The path or label given at load time; used as the prefix of every message.</summary>
    public string Name { get; }

    public ushort Type { get; }

    public ulong Entry { get; }

    public long FileSize => _bytes.Length;

    public IReadOnlyList<ElfSection> Sections { get; }

    public IReadOnlyList<ElfSegment> Segments { get; }

    /// <summary>Symbols of .symtab then .dynsym, each table's null symbol included (Index 0).</summary>
    public IReadOnlyList<ElfSymbol> Symbols { get; }

    public IReadOnlyList<ElfNote> Notes { get; }

    public static ElfImage Load(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new ImageToolException($"{path}: file not found; build the kernel image first (make build/<kernel>.elf)");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ImageToolException($"{path}: file not found; build the kernel image first (make build/<kernel>.elf)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageToolException($"{path}: cannot read the file ({e.Message}); check the path and its permissions");
        }

        return FromBytes(data, path);
    }

    /// <summary>Parses an in-memory image; <paramref name="name"/> only labels messages.</summary>
    public static ElfImage FromBytes(byte[] data, string name) => new(name, new ElfBytes(data, name));

    public ReadOnlySpan<byte> SectionData(ElfSection section) =>
        section.HasFileData
            ? _bytes.Slice(section.Offset, section.Size, $"section {section.Name}")
            : ReadOnlySpan<byte>.Empty;

    public ElfSection? SectionAt(int index) =>
        index > 0 && index < Sections.Count ? Sections[index] : null;
}
