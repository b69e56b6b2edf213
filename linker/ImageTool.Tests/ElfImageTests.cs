namespace ImageTool.Tests;

public class ElfImageTests
{
    private static ElfBuilder Sample() =>
        new ElfBuilder(Hex.Bytes("48 89 C8 C3 F3 90 C3 CC"))
            .Symbol("main", 0)
            .Symbol("helper", 4)
            .PvhNote();

    [Fact]
    public void ReadsSectionsSegmentsAndSymbols()
    {
        var image = Sample().Load();

        var text = Assert.Single(image.Sections, s => s.Name == ".text");
        Assert.True(text.IsExecutable);
        Assert.Equal(ElfBuilder.TextAddress, text.Address);
        Assert.Equal(8UL, text.Size);
        Assert.Equal(Hex.Bytes("48 89 C8 C3 F3 90 C3 CC"), image.SectionData(text).ToArray());
        Assert.Equal(ElfConstants.TypeExecutable, image.Type);
        Assert.Contains(image.Segments, s => s.IsLoad && s.PhysicalAddress == ElfBuilder.TextAddress);

        var helper = Assert.Single(image.Symbols, s => s.Name == "helper");
        Assert.Equal(ElfBuilder.TextAddress + 4, helper.Value);
        Assert.Equal(ElfSymbolType.Func, helper.Type);
        Assert.Equal(".symtab", helper.Table);
        Assert.True(image.Symbols[0].IsNull);
    }

    [Fact]
    public void ReadsThePvhNoteOnceAlthoughSectionAndSegmentBothExposeIt()
    {
        var note = Assert.Single(Sample().Load().Notes);

        Assert.Equal("Xen", note.Name);
        Assert.Equal(18U, note.Type);
        Assert.Equal(BitConverter.GetBytes((uint)ElfBuilder.TextAddress), note.Descriptor);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void ReadsSeveralNotesWith4Or8BytePadding(int alignment)
    {
        var image = new ElfBuilder(Hex.Bytes("C3")) { NoteAlignment = alignment }
            .Note("GNU", 1, [1, 2, 3, 4])
            .Note("Go", 4, [5, 6, 7, 8, 9])
            .PvhNote()
            .Load();

        Assert.Equal(new[] { ("GNU", 1U, 4), ("Go", 4U, 5), ("Xen", 18U, 4) }, image.Notes.Select(n => (n.Name, n.Type, n.Descriptor.Length)));
        Assert.Equal(BitConverter.GetBytes((uint)ElfBuilder.TextAddress), image.Notes[2].Descriptor);
    }

    [Fact]
    public void MarksUndefinedSymbols()
    {
        var image = Sample().Undefined("RhpGcPoll").Load();

        Assert.True(Assert.Single(image.Symbols, s => s.Name == "RhpGcPoll").IsUndefined);
        Assert.False(Assert.Single(image.Symbols, s => s.Name == "main").IsUndefined);
        Assert.False(image.Symbols[0].IsUndefined);
    }

    [Fact]
    public void RejectsAFileThatIsNotElf()
    {
        var e = Assert.Throws<ImageToolException>(() => ElfImage.FromBytes("#!/bin/sh\n"u8.ToArray(), "x.sh"));

        Assert.StartsWith("x.sh: not an ELF file", e.Message);
    }

    [Theory]
    [InlineData(4, 1, "32-bit (ELFCLASS32)")]
    [InlineData(5, 2, "not little-endian")]
    [InlineData(18, 3, "machine 3 is not x86-64")]
    public void RejectsElfFilesOtherThanElf64LittleEndianX8664(int offset, byte value, string expected)
    {
        var bytes = Sample().Build();
        bytes[offset] = value;

        var e = Assert.Throws<ImageToolException>(() => ElfImage.FromBytes(bytes, "odd.elf"));

        Assert.Contains(expected, e.Message);
        Assert.Contains("ELF64 little-endian x86-64", e.Message);
    }

    [Fact]
    public void RejectsATruncatedFileWithAMessage()
    {
        var bytes = Sample().Build();

        var e = Assert.Throws<ImageToolException>(() => ElfImage.FromBytes(bytes[..200], "cut.elf"));

        Assert.Contains("past the end of the file", e.Message);
    }

    [Fact]
    public void LoadReportsAMissingFile()
    {
        var e = Assert.Throws<ImageToolException>(() => ElfImage.Load("/nonexistent/kernel.elf"));

        Assert.Contains("file not found", e.Message);
    }
}
