using Iced.Intel;

namespace ImageTool;

/// <summary>Prints a function as address, bytes and instruction text, marking SSE/x87 instructions.</summary>
public static class FunctionDisassembler
{
    private const int BytesColumnWidth = 30;

    public static void Write(ElfImage image, IReadOnlyList<FunctionSymbol> parts, string syntax, TextWriter output)
    {
        var formatter = InstructionText.CreateFormatter(syntax, new ImageSymbolResolver(image));
        var infoFactory = new InstructionInfoFactory();
        var first = parts[0];
        output.WriteLine(
            $"{first.Name}{AliasText(first)}: 0x{first.Start:x}-0x{parts[^1].End:x} ({parts[^1].End - first.Start} bytes, " +
            $"section {first.Section.Name}, {first.Bitness}-bit)");

        foreach (var part in parts)
        {
            if (!ReferenceEquals(part, first))
            {
                output.WriteLine($"{part.Name}:{(part.Bitness != first.Bitness ? $" ({part.Bitness}-bit)" : "")}");
            }

            var code = image.SectionData(part.Section)
                .Slice((int)(part.Start - part.Section.Address), (int)part.Size)
                .ToArray();
            foreach (var (at, instruction) in InstructionStream.Decode(code, part.Start, part.Bitness))
            {
                int offset = (int)(at - part.Start);
                string bytes = HexBytes.Format(code.AsSpan(offset, instruction.Length));
                string text = InstructionText.Format(formatter, instruction);
                string? reason = ForbiddenState.Reason(instruction, infoFactory);
                string mark = reason is null ? "" : $"    ; <-- {reason}";
                output.WriteLine($"  {at:x16}  {bytes.PadRight(BytesColumnWidth)} {text}{mark}");
            }
        }
    }

    public static void WriteList(IReadOnlyList<FunctionSymbol> functions, TextWriter output)
    {
        foreach (var function in functions)
        {
            output.WriteLine($"  {function.Start:x16} {function.Size,8} {function.Bitness,2}  {function.Name}{AliasText(function)}");
        }
    }

    private static string AliasText(FunctionSymbol function) =>
        function.Aliases.Count == 0 ? "" : $" (= {string.Join(", ", function.Aliases)})";
}
