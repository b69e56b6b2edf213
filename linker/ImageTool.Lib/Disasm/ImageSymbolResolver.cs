using Iced.Intel;

namespace ImageTool;

/// <summary>
/// Names branch targets and memory operands after the image's symbols ("call RhpGcPoll"), which
/// is what makes ilc output readable. Immediates are left as numbers: a constant that happens to
/// equal an address is not a reference.
/// </summary>
public sealed class ImageSymbolResolver : ISymbolResolver
{
    private readonly Dictionary<ulong, string> _names;

    public ImageSymbolResolver(ElfImage image)
    {
        // Relocatable objects have section-relative values that collide across sections.
        _names = image.Type == ElfConstants.TypeRelocatable
            ? new Dictionary<ulong, string>()
            : image.Symbols
                .Where(s => s.IsInSection && s.Name.Length > 0 && s.Type is not (ElfSymbolType.Section or ElfSymbolType.File))
                .OrderBy(s => s.Type == ElfSymbolType.Func ? 0 : 1)
                .ThenBy(s => s.Binding == ElfSymbolBinding.Global ? 0 : 1)
                .GroupBy(s => s.Value)
                .ToDictionary(g => g.Key, g => g.First().Name);
    }

    public bool TryGetSymbol(in Instruction instruction, int operand, int instructionOperand, ulong address, int addressSize, out SymbolResult symbol)
    {
        if (instructionOperand >= 0 && IsImmediate(instruction.GetOpKind(instructionOperand)))
        {
            symbol = default;
            return false;
        }

        if (_names.TryGetValue(address, out var name))
        {
            symbol = new SymbolResult(address, name);
            return true;
        }

        symbol = default;
        return false;
    }

    private static bool IsImmediate(OpKind kind) =>
        kind is OpKind.Immediate8 or OpKind.Immediate8_2nd or OpKind.Immediate16 or OpKind.Immediate32
            or OpKind.Immediate64 or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64
            or OpKind.Immediate32to64;
}
