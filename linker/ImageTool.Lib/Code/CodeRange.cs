namespace ImageTool;

/// <summary>
/// A stretch of an executable section between two symbol boundaries.
/// </summary>
/// <param name="Symbol">The symbol that starts the range; null for bytes before a section's first symbol.</param>
/// <param name="IsData">Marked as data by <see cref="SymbolConventions"/>; not decoded.</param>
/// <param name="Aliases">Other symbols at <paramref name="Start"/> (e.g. pvh_start next to code32_pvh_start).</param>
public sealed record CodeRange(ElfSection Section, ulong Start, ulong End, int Bitness, bool IsData, string? Symbol, IReadOnlyList<string> Aliases)
{
    public ulong Size => End - Start;

    /// <summary>"Symbol+0x1a", or "section+0x1a" where no symbol covers the address.</summary>
    public string Locate(ulong address) =>
        Symbol is null
            ? $"{Section.Name}+0x{address - Section.Address:x}"
            : address == Start ? Symbol : $"{Symbol}+0x{address - Start:x}";
}
