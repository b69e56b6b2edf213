using System.Buffers.Binary;
using System.Text;

namespace ImageTool;

/// <summary>
/// Bounds-checked little-endian reads over the file. Every read names the structure it
/// belongs to, so a truncated or corrupt file gives a message instead of an
/// IndexOutOfRangeException.
/// </summary>
internal sealed class ElfBytes
{
    private readonly byte[] _data;
    private readonly string _fileName;

    public ElfBytes(byte[] data, string fileName)
    {
        _data = data;
        _fileName = fileName;
    }

    public int Length => _data.Length;

    public byte[] Data => _data;

    public ReadOnlySpan<byte> Slice(ulong offset, ulong length, string what)
    {
        if (offset > (ulong)_data.Length || length > (ulong)_data.Length - offset)
        {
            throw new ImageToolException(
                $"{_fileName}: {what} (offset 0x{offset:x}, 0x{length:x} bytes) lies past the end of the " +
                $"file ({_data.Length} bytes); the file is truncated or corrupt, rebuild it");
        }

        return _data.AsSpan((int)offset, (int)length);
    }

    public byte U8(ulong offset, string what) => Slice(offset, 1, what)[0];

    public ushort U16(ulong offset, string what) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(offset, 2, what));

    public uint U32(ulong offset, string what) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(offset, 4, what));

    public ulong U64(ulong offset, string what) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(offset, 8, what));

    /// <summary>A NUL-terminated name inside a string table that spans [tableOffset, tableOffset+tableSize).</summary>
    public string CString(ulong tableOffset, ulong tableSize, uint nameOffset, string what)
    {
        if (nameOffset >= tableSize)
        {
            throw new ImageToolException(
                $"{_fileName}: {what} name offset 0x{nameOffset:x} is outside its string table " +
                $"(0x{tableSize:x} bytes); the file is corrupt, rebuild it");
        }

        var table = Slice(tableOffset, tableSize, what + " string table");
        var rest = table[(int)nameOffset..];
        int end = rest.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
    }
}
