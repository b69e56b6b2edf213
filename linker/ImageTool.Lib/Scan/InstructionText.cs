using Iced.Intel;

namespace ImageTool;

/// <summary>Iced formatters configured the same way for check reports and disasm listings.</summary>
public static class InstructionText
{
    public const string Intel = "intel";
    public const string Gas = "gas";

    /// <param name="symbols">Names addresses in operands; null prints plain numbers.</param>
    public static Formatter CreateFormatter(string syntax, ISymbolResolver? symbols = null)
    {
        Formatter formatter = syntax.ToLowerInvariant() switch
        {
            Intel => new IntelFormatter(symbols),
            Gas => new GasFormatter(symbols),
            _ => throw new ImageToolException($"unknown syntax '{syntax}'; use --syntax intel or --syntax gas"),
        };

        // Read like objdump and like the addresses printed beside: "jmp 0x100002", not "jmp short 0000000000100002h".
        formatter.Options.HexPrefix = "0x";
        formatter.Options.HexSuffix = null;
        formatter.Options.UppercaseHex = false;
        formatter.Options.BranchLeadingZeros = false;
        formatter.Options.ShowBranchSize = false;
        return formatter;
    }

    public static string Format(Formatter formatter, in Instruction instruction)
    {
        var output = new StringOutput();
        formatter.Format(instruction, output);
        return output.ToStringAndReset();
    }
}
