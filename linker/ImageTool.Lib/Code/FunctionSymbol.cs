namespace ImageTool;

/// <summary>
/// A code symbol with its extent. ilc emits many symbols with st_size 0, so the extent is always
/// "up to the next symbol in the same section, or the section end", never st_size.
/// </summary>
/// <param name="Aliases">Other symbols at the same address; lookups match them too.</param>
public sealed record FunctionSymbol(string Name, IReadOnlyList<string> Aliases, ElfSection Section, ulong Start, ulong End, int Bitness)
{
    public ulong Size => End - Start;

    public IEnumerable<string> AllNames => Aliases.Prepend(Name);
}
