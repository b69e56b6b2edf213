namespace ImageTool.Tests;

public class CheckTests
{
    private static (int ExitCode, string Output) Check(ElfBuilder builder)
    {
        using var elf = new TempElf(builder);
        var output = new StringWriter();
        int exitCode = ImageCommands.Check(elf.Path, output);
        return (exitCode, output.ToString().Replace(elf.Path, "IMAGE"));
    }

    private static ElfBuilder Clean() =>
        new ElfBuilder(Hex.Bytes("48 89 C8 C3 F3 90 C3 CC")) // mov rax,rcx; ret | pause; ret; int3
            .Symbol("main", 0)
            .Symbol("helper", 4)
            .PvhNote();

    [Fact]
    public void ACleanImagePassesWithAOneLineSummary()
    {
        var (exitCode, output) = Check(Clean());

        Assert.Equal(0, exitCode);
        Assert.Equal(
            "imagetool: IMAGE OK: 5 instructions in 2 functions, 0 SSE/x87, PVH entry 0x100000, 1 KiB" + Environment.NewLine,
            output);
    }

    [Fact]
    public void TheSummaryShowsTheMemorySpanWhenBssMakesItLarger()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("C3")) { BssSize = 64 * 1024 }.Symbol("main", 0).PvhNote());

        Assert.Equal(0, exitCode);
        Assert.EndsWith("PVH entry 0x100000, 1 KiB (65 KiB in memory)" + Environment.NewLine, output);
    }

    [Fact]
    public void SseInAFunctionFailsNamingSymbolOffsetAddressAndInstruction()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("48 89 C8 90 90 0F 57 C0 C3"))
            .Symbol("main", 0)
            .Symbol("Selftest_Main", 3)
            .PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("FAILED", output);
        Assert.Contains("Selftest_Main+0x2  0x100005  xorps xmm0,xmm0  [SSE xmm0]", output);
    }

    [Fact]
    public void X87InAFunctionFails()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("D9 E8 C3")).Symbol("UsesFloat", 0).PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("UsesFloat  0x100000  fld1  [x87]", output);
    }

    [Fact]
    public void AMissingPvhNoteFails()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("C3")).Symbol("main", 0));

        Assert.Equal(1, exitCode);
        Assert.Contains("no PVH note", output);
    }

    [Fact]
    public void AXenNoteOfAnotherTypeIsNotAPvhNote()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("C3")).Symbol("main", 0).PvhNote(type: 17));

        Assert.Equal(1, exitCode);
        Assert.Contains("no PVH note", output);
    }

    [Fact]
    public void An8BytePvhDescriptorIsAccepted()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("90 C3")).Symbol("main", 0).PvhNote(ElfBuilder.TextAddress + 1, descriptorSize: 8));

        Assert.Equal(0, exitCode);
        Assert.Contains("PVH entry 0x100001", output);
    }

    [Fact]
    public void APvhDescriptorOfOddSizeFails()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("C3")).Symbol("main", 0).PvhNote(descriptorSize: 2));

        Assert.Equal(1, exitCode);
        Assert.Contains("2-byte descriptor", output);
    }

    [Fact]
    public void APvhEntryOutsideEveryLoadSegmentFails()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("C3")).Symbol("main", 0).PvhNote(0x200000));

        Assert.Equal(1, exitCode);
        Assert.Contains("PVH entry 0x200000", output);
        Assert.Contains("outside every PT_LOAD segment", output);
    }

    [Fact]
    public void UndefinedSymbolsFailAndAreListed()
    {
        var (exitCode, output) = Check(Clean().Undefined("RhpGcPoll").Undefined("__security_cookie"));

        Assert.Equal(1, exitCode);
        Assert.Contains("2 undefined symbol(s)", output);
        Assert.Contains("    RhpGcPoll" + Environment.NewLine, output);
        Assert.Contains("    __security_cookie" + Environment.NewLine, output);
    }

    [Fact]
    public void Code32RangeIsDecodedAs32BitCode()
    {
        // pushad; popad; jmp $+2 are 32-bit-only; the 64-bit part follows its code64_ label.
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("60 61 EB 00 48 89 C8 C3"))
            .Symbol("code32_pvh_start", 0, ElfSymbolType.NoType)
            .Symbol("code64_start", 4, ElfSymbolType.NoType)
            .PvhNote());

        Assert.Equal(0, exitCode);
        Assert.Contains("OK: 5 instructions in 2 functions", output);
    }

    [Fact]
    public void TheSame32BitCodeWithoutThePrefixFailsAsUndecodable()
    {
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("60 61 EB 00 48 89 C8 C3"))
            .Symbol("pvh_start", 0, ElfSymbolType.NoType)
            .Symbol("start64", 4, ElfSymbolType.NoType)
            .PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("undecodable", output);
        Assert.Contains("pvh_start  0x100000  (bad) 60 61", output);
    }

    [Fact]
    public void Code16RangeIsDecodedAs16BitCode()
    {
        // cli; push ds; pushaw; popaw; pop ds: push/pop ds and pusha do not exist in 64-bit mode.
        var code = Hex.Bytes("FA 1E 60 61 1F C3");

        var (passing, _) = Check(new ElfBuilder(code).Symbol("code16_ap_start", 0, ElfSymbolType.NoType).Symbol("code64_ret", 5).PvhNote());
        var (failing, output) = Check(new ElfBuilder(code).Symbol("ap_start", 0, ElfSymbolType.NoType).Symbol("ret64", 5).PvhNote());

        Assert.Equal(0, passing);
        Assert.Equal(1, failing);
        Assert.Contains("ap_start+0x1", output);
    }

    [Fact]
    public void DataMarkedRangesAreNotDecoded()
    {
        var code = Hex.Bytes("C3 FF FF FF FF 0F 57 C0");

        var (passing, _) = Check(new ElfBuilder(code).Symbol("main", 0).Symbol("data_table", 1, ElfSymbolType.NoType).PvhNote());
        var (failing, output) = Check(new ElfBuilder(code).Symbol("main", 0).Symbol("table", 1, ElfSymbolType.NoType).PvhNote());

        Assert.Equal(0, passing);
        Assert.Equal(1, failing);
        Assert.Contains("table", output);
    }

    [Fact]
    public void UndecodableBytesBeforeTheFirstSymbolAreNotAFailureButSseThereIs()
    {
        var (junk, _) = Check(new ElfBuilder(Hex.Bytes("FF FF C3")).Symbol("main", 2).PvhNote());
        var (sse, output) = Check(new ElfBuilder(Hex.Bytes("0F 57 C0 C3")).Symbol("main", 3).PvhNote());

        Assert.Equal(0, junk);
        Assert.Equal(1, sse);
        Assert.Contains(".text+0x0  0x100000  xorps xmm0,xmm0", output);
    }

    [Fact]
    public void AMissingFileIsBadInputWithOneLine()
    {
        var output = new StringWriter();

        int exitCode = ImageCommands.Check("/nonexistent/selftest.elf", output);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "imagetool: /nonexistent/selftest.elf: file not found; build the kernel image first (make build/<kernel>.elf)" + Environment.NewLine,
            output.ToString());
    }
}
