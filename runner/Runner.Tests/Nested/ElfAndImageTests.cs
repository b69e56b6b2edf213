using System.Buffers.Binary;
using System.Text;
using Runner.Nested;

namespace Runner.Tests.Nested;

/// <summary>
/// ModInfo and BzImage against minimal files built here by hand (a 64-bit ELF with a
/// .modinfo section, a setup header with a version string): the real ones come from a
/// 100 MB kernel package the unit tests must not need.
/// </summary>
public class ElfAndImageTests
{
    /// <summary>A hand-built ELF64 object: null section, .modinfo, .shstrtab.</summary>
    internal static byte[] Module(string modinfo)
    {
        var names = Encoding.ASCII.GetBytes("\0.modinfo\0.shstrtab\0");
        var info = Encoding.ASCII.GetBytes(modinfo);
        int infoOff = 64, namesOff = infoOff + info.Length, shoff = (namesOff + names.Length + 7) & ~7;
        var elf = new byte[shoff + 3 * 64];
        elf[0] = 0x7f; elf[1] = (byte)'E'; elf[2] = (byte)'L'; elf[3] = (byte)'F'; elf[4] = 2; elf[5] = 1; elf[6] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(0x28), shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3a), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3c), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3e), 2);
        info.CopyTo(elf, infoOff);
        names.CopyTo(elf, namesOff);
        void Section(int i, int name, int offset, int size)
        {
            var h = elf.AsSpan(shoff + i * 64);
            BinaryPrimitives.WriteInt32LittleEndian(h, name);
            BinaryPrimitives.WriteInt64LittleEndian(h[0x18..], offset);
            BinaryPrimitives.WriteInt64LittleEndian(h[0x20..], size);
        }
        Section(1, 1, infoOff, info.Length);
        Section(2, 10, namesOff, names.Length);
        return elf;
    }

    [Fact]
    public void DependsComeFromModinfo()
    {
        var elf = Module("license=GPL\0depends=kvm,irqbypass\0name=kvm_amd\0");
        Assert.Equal(["kvm", "irqbypass"], ModInfo.Depends(elf));
        Assert.Equal("kvm_amd", ModInfo.Field(elf, "name"));
        Assert.Empty(ModInfo.Depends(Module("depends=\0")));
    }

    [Fact]
    public void NotAnElfIsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => ModInfo.Depends(Encoding.ASCII.GetBytes("#!/bin/sh\necho\n")));
    }

    [Fact]
    public void TheReleaseIsTheVersionStringsFirstWord()
    {
        var image = new byte[0x800];
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x202), 0x53726448);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x20E), 0x300);
        Encoding.ASCII.GetBytes("6.13.0-rc1-kvm+ (dev@box) #3 SMP\0").CopyTo(image, 0x500);
        Assert.Equal("6.13.0-rc1-kvm+", BzImage.Release(image));
        Assert.Null(BzImage.Release(new byte[0x800]));
    }
}
