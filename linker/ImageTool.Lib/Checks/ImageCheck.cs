namespace ImageTool;

/// <summary>The checks a kernel image must pass before it is booted.</summary>
public static class ImageCheck
{
    public static CheckReport Run(ElfImage image)
    {
        var layout = CodeLayout.Build(image);
        var state = new List<LocatedFinding>();
        var invalid = new List<LocatedFinding>();
        int instructions = 0;

        foreach (var range in layout.Ranges.Where(r => !r.IsData))
        {
            var bytes = image.SectionData(range.Section)
                .Slice((int)(range.Start - range.Section.Address), (int)range.Size);
            var result = SseScanner.ScanCode(bytes, range.Start, range.Bitness);
            instructions += result.InstructionCount;
            foreach (var finding in result.Findings)
            {
                var located = new LocatedFinding(range.Locate(finding.Address), finding);
                if (finding.Kind == FindingKind.SimdOrFpuState)
                {
                    state.Add(located);
                }
                else if (range.Symbol is not null)
                {
                    // Bytes before a section's first symbol are not known to be code; only function bodies must decode.
                    invalid.Add(located);
                }
            }
        }

        var (entry, problem) = PvhEntry.Find(image);
        return new CheckReport(instructions, layout.Functions.Count, state, invalid, entry, problem,
            UndefinedSymbols(image), ImageBytes(image), MemoryBytes(image), LightHandlerCheck.Run(image, layout.Functions));
    }

    /// <summary>Undefined symbols (the null symbol excluded), once per name across .symtab and .dynsym.</summary>
    public static IReadOnlyList<ElfSymbol> UndefinedSymbols(ElfImage image) =>
        image.Symbols.Where(s => s.IsUndefined).DistinctBy(s => s.Name).ToArray();

    /// <summary>Bytes the loader copies from the file: the PT_LOAD contents, bss excluded.</summary>
    public static ulong ImageBytes(ElfImage image) =>
        image.Segments.Where(s => s.IsLoad).Aggregate(0UL, (sum, s) => sum + s.FileSize);

    /// <summary>Span of memory the image occupies: lowest to highest PT_LOAD byte, bss included.</summary>
    public static ulong MemoryBytes(ElfImage image)
    {
        var loads = image.Segments.Where(s => s.IsLoad && s.MemorySize > 0).ToList();
        return loads.Count == 0
            ? 0
            : loads.Max(s => s.PhysicalAddress + s.MemorySize) - loads.Min(s => s.PhysicalAddress);
    }
}
