namespace ImageTool;

/// <summary>
/// Splits every executable section into <see cref="CodeRange"/>s at symbol addresses and assigns
/// each its bitness and code/data kind (see <see cref="SymbolConventions"/>).
/// </summary>
public sealed class CodeLayout
{
    private CodeLayout(IReadOnlyList<CodeRange> ranges)
    {
        Ranges = ranges;
        Functions = ranges
            .Where(r => r.Symbol is not null && !r.IsData)
            .Select(r => new FunctionSymbol(r.Symbol!, r.Aliases, r.Section, r.Start, r.End, r.Bitness))
            .ToArray();
    }

    /// <summary>All bytes of all executable sections, in section then address order.</summary>
    public IReadOnlyList<CodeRange> Ranges { get; }

    public IReadOnlyList<FunctionSymbol> Functions { get; }

    public static CodeLayout Build(ElfImage image)
    {
        var ranges = new List<CodeRange>();
        foreach (var section in image.Sections.Where(s => s.IsExecutable && s.HasFileData && s.Size > 0))
        {
            AddSection(image, section, ranges);
        }

        return new CodeLayout(ranges);
    }

    private static void AddSection(ElfImage image, ElfSection section, List<CodeRange> ranges)
    {
        // In relocatable objects symbol values are section offsets; in linked images they are addresses.
        ulong bias = image.Type == ElfConstants.TypeRelocatable ? section.Address : 0;
        var groups = image.Symbols
            .Where(s => s.IsInSection && s.SectionIndex == section.Index && s.Name.Length > 0
                        && s.Type is not (ElfSymbolType.Section or ElfSymbolType.File))
            .Select(s => (Address: s.Value + bias, Symbol: s))
            .Where(x => section.Contains(x.Address))
            .GroupBy(x => x.Address, x => x.Symbol)
            .OrderBy(g => g.Key)
            .ToList();

        ulong firstSymbol = groups.Count > 0 ? groups[0].Key : section.End;
        if (firstSymbol > section.Address)
        {
            ranges.Add(new CodeRange(section, section.Address, firstSymbol, 64, false, null, []));
        }

        int bitness = 64;
        string? dataOwner = null;
        for (int i = 0; i < groups.Count; i++)
        {
            var group = groups[i].ToList();
            ulong start = groups[i].Key;
            ulong end = i + 1 < groups.Count ? groups[i + 1].Key : section.End;
            bitness = BitnessAt(group, start, bitness);

            // A NASM local label of a data symbol (gdt64.code after gdt64) is still inside that data.
            bool isLocalOfData = dataOwner is not null
                && group.Any(s => s.Name.StartsWith(dataOwner + ".", StringComparison.Ordinal));
            var dataSymbol = group.FirstOrDefault(SymbolConventions.MarksData);
            bool isData = (isLocalOfData || dataSymbol is not null) && group.All(s => s.Type != ElfSymbolType.Func);
            dataOwner = !isData ? null : isLocalOfData ? dataOwner : dataSymbol!.Name;

            var names = PreferredOrder(group).Select(s => s.Name).Distinct().ToArray();
            ranges.Add(new CodeRange(section, start, end, bitness, isData, names[0], names[1..]));
        }
    }

    private static int BitnessAt(List<ElfSymbol> group, ulong address, int current)
    {
        var markers = group
            .Select(s => (s.Name, Bitness: SymbolConventions.BitnessOf(s.Name)))
            .Where(m => m.Bitness is not null)
            .ToList();
        if (markers.Select(m => m.Bitness).Distinct().Count() > 1)
        {
            throw new ImageToolException(
                $"symbols {string.Join(", ", markers.Select(m => m.Name))} at 0x{address:x} give conflicting bitness; " +
                "keep only one code16_/code32_/code64_ label at that address");
        }

        return markers.Count > 0 ? markers[0].Bitness!.Value : current;
    }

    // Aliases share an address; a global function name is what a reader of the source recognises.
    private static IEnumerable<ElfSymbol> PreferredOrder(List<ElfSymbol> group) =>
        group
            .OrderBy(s => s.Type == ElfSymbolType.Func ? 0 : 1)
            .ThenBy(s => s.Binding switch
            {
                ElfSymbolBinding.Global => 0,
                ElfSymbolBinding.Weak => 1,
                _ => 2,
            })
            .ThenBy(s => s.Name.Length)
            .ThenBy(s => s.Name, StringComparer.Ordinal);
}
