namespace ImageTool;

/// <summary>
/// How symbol names and types tell imagetool what an executable byte range holds. The ELF file
/// itself cannot say that a stretch of .text is 32-bit or 16-bit code, so the boot code says it
/// through names:
/// <list type="bullet">
/// <item>A symbol named <c>code32_*</c> or <c>code16_*</c> starts a range decoded as 32-bit or
/// 16-bit code (the PVH entry runs in 32-bit protected mode, the AP trampoline in real mode).
/// The range lasts until the next symbol named <c>code64_*</c>, <c>code32_*</c> or
/// <c>code16_*</c>, or the end of the section. Every section starts as 64-bit code. NASM local
/// labels (<c>code32_entry.loop</c>) keep the prefix, so they stay in the range.</item>
/// <item>A symbol of type STT_OBJECT (NASM <c>global x:data</c>) or named <c>data_*</c> marks
/// data (a GDT, a page table) inside an executable section: from it to the next symbol nothing
/// is decoded. Its NASM local labels (<c>gdt.code</c>) are data too. The bitness is unchanged.</item>
/// </list>
/// </summary>
public static class SymbolConventions
{
    public const string Code16Prefix = "code16_";
    public const string Code32Prefix = "code32_";
    public const string Code64Prefix = "code64_";
    public const string DataPrefix = "data_";

    public const string HelpText =
        "Executable sections are decoded as 64-bit code, except: a symbol named code32_* or code16_* " +
        "starts 32-bit or 16-bit code that lasts until the next code64_*/code32_*/code16_* symbol or the " +
        "section end; a symbol of type STT_OBJECT or named data_* (and its NASM local labels) marks data " +
        "that is not decoded, up to the next symbol.";

    /// <summary>The bitness a symbol name switches to, or null if it is not a bitness marker.</summary>
    public static int? BitnessOf(string name) =>
        name.StartsWith(Code64Prefix, StringComparison.Ordinal) ? 64
        : name.StartsWith(Code32Prefix, StringComparison.Ordinal) ? 32
        : name.StartsWith(Code16Prefix, StringComparison.Ordinal) ? 16
        : null;

    public static bool MarksData(ElfSymbol symbol) =>
        symbol.Type == ElfSymbolType.Object || symbol.Name.StartsWith(DataPrefix, StringComparison.Ordinal);
}
