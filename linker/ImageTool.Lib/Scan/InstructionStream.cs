using Iced.Intel;

namespace ImageTool;

/// <summary>Decodes every byte of a buffer, invalid bytes included, in a given CPU mode.</summary>
public static class InstructionStream
{
    public static IEnumerable<(ulong Address, Instruction Instruction)> Decode(byte[] code, ulong address, int bitness)
    {
        if (bitness is not (16 or 32 or 64))
        {
            throw new ArgumentOutOfRangeException(nameof(bitness), bitness, "bitness must be 16, 32 or 64");
        }

        var reader = new ByteArrayCodeReader(code);
        var decoder = Decoder.Create(bitness, reader, address);
        // Addresses come from the reader position: Iced wraps IP to 16/32 bits in those modes.
        while (reader.CanReadByte)
        {
            ulong at = address + (ulong)reader.Position;
            decoder.IP = at;
            decoder.Decode(out var instruction);
            yield return (at, instruction);
        }
    }
}
