namespace ImageTool.Tests;

public class CodeLayoutTests
{
    private const ulong Base = ElfBuilder.TextAddress;

    private static CodeLayout Layout(ElfBuilder builder) => CodeLayout.Build(builder.Load());

    [Fact]
    public void AFunctionExtendsToTheNextSymbolOrTheSectionEnd()
    {
        var functions = Layout(new ElfBuilder(new byte[16]).Symbol("first", 0).Symbol("second", 6)).Functions;

        Assert.Equal(
            new[] { ("first", Base, Base + 6), ("second", Base + 6, Base + 16) },
            functions.Select(f => (f.Name, f.Start, f.End)));
    }

    [Fact]
    public void AliasesAtOneAddressMakeOneFunctionNamedByTheGlobalSymbol()
    {
        var functions = Layout(new ElfBuilder(new byte[8])
            .Symbol("local_alias", 0, binding: ElfSymbolBinding.Local)
            .Symbol("Kernel_Main", 0)).Functions;

        Assert.Equal("Kernel_Main", Assert.Single(functions).Name);
    }

    [Fact]
    public void BytesBeforeTheFirstSymbolFormAnUnnamedRange()
    {
        var ranges = Layout(new ElfBuilder(new byte[8]).Symbol("f", 4)).Ranges;

        Assert.Equal(2, ranges.Count);
        Assert.Null(ranges[0].Symbol);
        Assert.Equal((Base, Base + 4), (ranges[0].Start, ranges[0].End));
        Assert.Equal(".text+0x2", ranges[0].Locate(Base + 2));
        Assert.Equal("f+0x1", ranges[1].Locate(Base + 5));
    }

    [Fact]
    public void Code32AndCode16SymbolsSwitchBitnessUntilTheNextMarker()
    {
        var functions = Layout(new ElfBuilder(new byte[32])
            .Symbol("code32_pvh_entry", 0, ElfSymbolType.NoType)
            .Symbol("setup_paging", 4, ElfSymbolType.NoType)
            .Symbol("code64_long_mode", 8, ElfSymbolType.NoType)
            .Symbol("kmain", 12)
            .Symbol("code16_ap_trampoline", 16, ElfSymbolType.NoType)
            .Symbol("code32_ap_protected", 20, ElfSymbolType.NoType)
            .Symbol("code64_ap_long", 24, ElfSymbolType.NoType)).Functions;

        Assert.Equal(new[] { 32, 32, 64, 64, 16, 32, 64 }, functions.Select(f => f.Bitness));
    }

    [Fact]
    public void DataSymbolsMarkRangesThatAreNotCode()
    {
        var layout = Layout(new ElfBuilder(new byte[32])
            .Symbol("code32_entry", 0, ElfSymbolType.NoType)
            .Symbol("data_gdt", 4, ElfSymbolType.NoType)
            .Symbol("gdt64", 8, ElfSymbolType.Object)
            .Symbol("gdt64.code", 12, ElfSymbolType.NoType)
            .Symbol("code32_after", 16, ElfSymbolType.NoType)
            .Symbol("plain_label", 20, ElfSymbolType.NoType));

        Assert.Equal(
            new[] { ("code32_entry", false), ("data_gdt", true), ("gdt64", true), ("gdt64.code", true), ("code32_after", false), ("plain_label", false) },
            layout.Ranges.Select(r => (r.Symbol!, r.IsData)));
        Assert.Equal(new[] { "code32_entry", "code32_after", "plain_label" }, layout.Functions.Select(f => f.Name));
        Assert.All(layout.Functions, f => Assert.Equal(32, f.Bitness));
    }

    [Fact]
    public void ConflictingBitnessMarkersAtOneAddressAreAnError()
    {
        var e = Assert.Throws<ImageToolException>(() => Layout(new ElfBuilder(new byte[4])
            .Symbol("code32_a", 0, ElfSymbolType.NoType)
            .Symbol("code64_b", 0, ElfSymbolType.NoType)));

        Assert.Contains("conflicting bitness", e.Message);
    }
}
