namespace ImageTool;

public enum ElfSymbolType : byte
{
    NoType = 0,
    Object = 1,
    Func = 2,
    Section = 3,
    File = 4,
    Common = 5,
    Tls = 6,
    GnuIndirectFunc = 10,
}

public enum ElfSymbolBinding : byte
{
    Local = 0,
    Global = 1,
    Weak = 2,
    GnuUnique = 10,
}

/// <param name="Index">Index inside its own table; 0 is the reserved null symbol.</param>
/// <param name="Table">".symtab" or ".dynsym", so reports can say where a symbol came from.</param>
public sealed record ElfSymbol(
    int Index,
    string Name,
    ulong Value,
    ulong Size,
    ElfSymbolType Type,
    ElfSymbolBinding Binding,
    ushort SectionIndex,
    string Table)
{
    public bool IsNull => Index == 0;

    public bool IsUndefined => !IsNull && SectionIndex == ElfConstants.SectionIndexUndefined;

    /// <summary>Defined in a real section (not undefined, absolute or common).</summary>
    public bool IsInSection =>
        SectionIndex != ElfConstants.SectionIndexUndefined && SectionIndex < ElfConstants.SectionIndexLoReserve;
}
