using System.Buffers.Binary;
using System.Text;

namespace Runner.Nested;

/// <summary>The kernel release a bzImage carries in its boot-protocol setup header.</summary>
public static class BzImage
{
    const int HeaderMagicOffset = 0x202;
    const uint HeaderMagic = 0x53726448; // "HdrS"
    const int KernelVersionOffset = 0x20E;
    const int SetupStart = 0x200;

    /// <summary>The release (the first word of the version string), or null when the file is no bzImage.</summary>
    public static string? Release(ReadOnlySpan<byte> image)
    {
        if (image.Length < KernelVersionOffset + 2 || BinaryPrimitives.ReadUInt32LittleEndian(image[HeaderMagicOffset..]) != HeaderMagic)
            return null;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(image[KernelVersionOffset..]);
        if (offset == 0 || SetupStart + offset >= image.Length)
            return null;
        var rest = image[(SetupStart + offset)..];
        int end = rest.IndexOfAny((byte)' ', (byte)0);
        return end <= 0 ? null : Encoding.ASCII.GetString(rest[..end]);
    }
}
