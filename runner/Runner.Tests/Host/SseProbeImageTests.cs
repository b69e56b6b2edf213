using System.Buffers.Binary;
using System.Text;
using Iced.Intel;
using Runner.Host;
using Runner.Qemu;

namespace Runner.Tests.Host;

/// <summary>The in-memory PVH image: headers QEMU's loader checks, the Xen note, and the intended code.</summary>
public class SseProbeImageTests
{
    static readonly byte[] Image = SseProbeImage.Build();

    static uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(Image.AsSpan(at));
    static ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(Image.AsSpan(at));

    record Phdr(uint Type, uint Offset, uint VAddr, uint PAddr, uint FileSz, uint MemSz, uint Flags, uint Align);

    static List<Phdr> ProgramHeaders()
    {
        uint phoff = U32(28);
        int phentsize = U16(42), phnum = U16(44);
        return Enumerable.Range(0, phnum).Select(i =>
        {
            int b = (int)phoff + i * phentsize;
            return new Phdr(U32(b), U32(b + 4), U32(b + 8), U32(b + 12), U32(b + 16), U32(b + 20), U32(b + 24), U32(b + 28));
        }).ToList();
    }

    [Fact]
    public void HasAValidElf32ExecutableHeader()
    {
        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], Image[..4]);
        Assert.Equal(1, Image[4]);   // ELFCLASS32
        Assert.Equal(1, Image[5]);   // little-endian
        Assert.Equal(2, U16(16));    // ET_EXEC
        Assert.Equal(3, U16(18));    // EM_386
        Assert.Equal(0x100000u, U32(24));
        Assert.Equal(52, U16(40));
        Assert.Equal(32, U16(42));
    }

    [Fact]
    public void LoadSegmentPlacesTheCodeAtTheEntry()
    {
        var load = Assert.Single(ProgramHeaders(), p => p.Type == PvhImage.PtLoad);

        Assert.Equal(0x100000u, load.VAddr);
        Assert.Equal(0x100000u, load.PAddr);
        Assert.Equal(load.Offset % load.Align, load.VAddr % load.Align);
        Assert.Equal(SseProbeImage.Code(), Image.AsSpan((int)load.Offset, (int)load.FileSz).ToArray());
        Assert.True(load.Offset + load.FileSz <= Image.Length);
    }

    [Fact]
    public void NoteIsXenPhys32EntryPointingAtTheEntry()
    {
        var note = Assert.Single(ProgramHeaders(), p => p.Type == PvhImage.PtNote);
        int b = (int)note.Offset;

        Assert.Equal(4u, U32(b));                       // namesz
        Assert.Equal(4u, U32(b + 4));                   // descsz
        Assert.Equal(18u, U32(b + 8));                  // XEN_ELFNOTE_PHYS32_ENTRY
        Assert.Equal("Xen\0", Encoding.ASCII.GetString(Image, b + 12, 4));
        Assert.Equal(U32(24), U32(b + 16));
        Assert.Equal(20u, note.FileSz);
    }

    [Fact]
    public void CodeEnablesSseThenRunsXorpsBetweenTheTwoMarkers()
    {
        var code = SseProbeImage.Code();
        var decoder = Iced.Intel.Decoder.Create(32, new ByteArrayCodeReader(code));
        decoder.IP = SseProbeImage.LoadAddress;
        var instructions = new List<Instruction>();
        while (decoder.IP < SseProbeImage.LoadAddress + (ulong)code.Length)
            instructions.Add(decoder.Decode());

        Assert.DoesNotContain(instructions, i => i.IsInvalid);
        int xorps = instructions.FindIndex(i => i.Mnemonic == Mnemonic.Xorps);
        int movCr4 = instructions.FindIndex(i => i.Code == Code.Mov_cr_r32 && i.Op0Register == Register.CR4);
        int firstOut = instructions.FindIndex(i => i.Mnemonic == Mnemonic.Out);
        int exitOut = instructions.FindLastIndex(i => i.Code == Code.Out_DX_EAX);

        Assert.True(movCr4 >= 0 && movCr4 < xorps, "CR4 must be written before xorps");
        Assert.True(firstOut < xorps, "'S' goes out before xorps");
        Assert.True(xorps < exitOut, "isa-debug-exit comes after xorps");
        var bytes = instructions.Where(i => i.Code == Code.Mov_r8_imm8).Select(i => (char)i.Immediate8).ToList();
        Assert.Equal(['S', 'K', '\n'], bytes);
        Assert.Contains(instructions, i => i.Code == Code.Or_rm32_imm32 && i.Immediate32 == 0x200
                                           || i.Code == Code.Or_EAX_imm32 && i.Immediate32 == 0x200);
    }
}
