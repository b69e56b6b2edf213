namespace ImageTool;

/// <summary>Reads .symtab and .dynsym (any SHT_SYMTAB / SHT_DYNSYM section) with their linked string tables.</summary>
internal static class ElfSymbolReader
{
    public static IReadOnlyList<ElfSymbol> Read(ElfBytes bytes, IReadOnlyList<ElfSection> sections)
    {
        var symbols = new List<ElfSymbol>();
        // .symtab first: it has the local symbols, which name functions more precisely than .dynsym.
        foreach (var table in sections.Where(s => s.Type == ElfConstants.SectionSymtab)
                     .Concat(sections.Where(s => s.Type == ElfConstants.SectionDynsym)))
        {
            if (table.Link >= sections.Count)
            {
                throw new ImageToolException(
                    $"{table.Name}: string table index {table.Link} does not exist; the file is corrupt, rebuild it");
            }

            var strings = sections[(int)table.Link];
            ulong count = table.Size / ElfConstants.SymbolSize;
            for (ulong i = 0; i < count; i++)
            {
                ulong at = table.Offset + i * ElfConstants.SymbolSize;
                string what = $"{table.Name} symbol {i}";
                bytes.Slice(at, ElfConstants.SymbolSize, what);
                byte info = bytes.U8(at + 4, what);
                symbols.Add(new ElfSymbol(
                    Index: (int)i,
                    Name: bytes.CString(strings.Offset, strings.Size, bytes.U32(at, what), what),
                    Value: bytes.U64(at + 8, what),
                    Size: bytes.U64(at + 16, what),
                    Type: (ElfSymbolType)(info & 0xf),
                    Binding: (ElfSymbolBinding)(info >> 4),
                    SectionIndex: bytes.U16(at + 6, what),
                    Table: table.Name));
            }
        }

        return symbols;
    }
}
