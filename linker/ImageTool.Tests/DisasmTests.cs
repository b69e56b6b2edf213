namespace ImageTool.Tests;

public class DisasmTests
{
    private static ElfBuilder Sample() =>
        new ElfBuilder(Hex.Bytes("48 89 C8 C3 90 90 0F 57 C0 C3 F3 90 C3"))
            .Symbol("main", 0)
            .Symbol("Selftest_Main", 4)
            .Symbol("Other_Main", 10)
            .PvhNote();

    private static (int ExitCode, string Output) Disasm(ElfBuilder builder, string? symbol, string syntax = "intel")
    {
        using var elf = new TempElf(builder);
        var output = new StringWriter();
        int exitCode = ImageCommands.Disasm(elf.Path, symbol, syntax, output);
        return (exitCode, output.ToString());
    }

    [Fact]
    public void PrintsAddressBytesAndIntelTextAndMarksSse()
    {
        var (exitCode, output) = Disasm(Sample(), "Selftest_Main");

        Assert.Equal(0, exitCode);
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Selftest_Main: 0x100004-0x10000a", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Matches(@"^  0000000000100006  0f 57 c0 +xorps xmm0,xmm0    ; <-- SSE xmm0$", lines[3]);
        Assert.EndsWith(" ret", lines[4]);
    }

    // main: call helper; ret.  helper: ret.  unrelated: nop; ret (hand-written bytes).
    private static ElfBuilder WithCall() =>
        new ElfBuilder(Hex.Bytes("E8 01 00 00 00 C3 C3 90 C3"))
            .Symbol("main", 0)
            .Symbol("helper", 6)
            .Symbol("unrelated", 7)
            .PvhNote();

    [Fact]
    public void CallsAddsTheFunctionsReachedByDirectCallAndNothingElse()
    {
        using var elf = new TempElf(WithCall());
        var output = new StringWriter();

        Assert.Equal(0, ImageCommands.Disasm(elf.Path, "main", "intel", output, calls: true));
        Assert.Contains("call helper", output.ToString());
        Assert.Contains("helper: 0x100006-0x100007", output.ToString());
        Assert.DoesNotContain("unrelated", output.ToString());
    }

    [Fact]
    public void WithoutCallsOnlyTheFunctionItselfIsShown()
    {
        var (exitCode, output) = Disasm(WithCall(), "main");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("helper: ", output);
    }

    [Fact]
    public void GasSyntaxIsAvailable()
    {
        var (exitCode, output) = Disasm(Sample(), "Selftest_Main", "gas");

        Assert.Equal(0, exitCode);
        Assert.Contains("xorps %xmm0,%xmm0", output);
    }

    [Fact]
    public void AUniqueSubstringSelectsTheFunction()
    {
        var (exitCode, output) = Disasm(Sample(), "Selftest");

        Assert.Equal(0, exitCode);
        Assert.Contains("xorps xmm0,xmm0", output);
        Assert.DoesNotContain("pause", output);
    }

    [Fact]
    public void AnExactNameWinsOverSubstringMatches()
    {
        var (exitCode, output) = Disasm(Sample(), "main");

        Assert.Equal(0, exitCode);
        Assert.Contains("mov rax,rcx", output);
        Assert.DoesNotContain("xorps", output);
    }

    [Fact]
    public void AnAmbiguousSubstringListsTheCandidates()
    {
        var (exitCode, output) = Disasm(Sample(), "_Main");

        Assert.Equal(2, exitCode);
        Assert.Contains("ambiguous", output);
        Assert.Contains("Selftest_Main", output);
        Assert.Contains("Other_Main", output);
        Assert.DoesNotContain("xorps", output);
    }

    [Fact]
    public void AnUnknownSymbolIsOneLineAndNonZero()
    {
        var (exitCode, output) = Disasm(Sample(), "NoSuchThing");

        Assert.Equal(2, exitCode);
        Assert.Single(output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no function matches 'NoSuchThing'", output);
    }

    [Fact]
    public void WithoutASymbolAllFunctionsAreListed()
    {
        var (exitCode, output) = Disasm(Sample(), null);

        Assert.Equal(0, exitCode);
        Assert.Contains("3 function(s)", output);
        Assert.Matches(@"0000000000100004 +6 64  Selftest_Main", output);
        Assert.Contains("  main", output);
        Assert.Contains("Other_Main", output);
    }

    [Fact]
    public void BranchTargetsAreNamedAfterSymbolsButImmediatesAreNot()
    {
        // call helper; mov eax,0x100006 (helper's address as a constant); ret | helper: ret
        var (exitCode, output) = Disasm(new ElfBuilder(Hex.Bytes("E8 06 00 00 00 B8 0A 00 10 00 C3 C3"))
            .Symbol("caller", 0)
            .Symbol("helper", 11)
            .Symbol("constant_lookalike", 10)
            .PvhNote(), "caller");

        Assert.Equal(0, exitCode);
        Assert.Contains("call helper", output);
        Assert.Contains("mov eax,0x10000a", output);
    }

    [Fact]
    public void AliasesAtTheSameAddressFindTheFunction()
    {
        var (exitCode, output) = Disasm(new ElfBuilder(Hex.Bytes("FA 1E 1F C3"))
            .Symbol("trampoline_start", 0, ElfSymbolType.NoType)
            .Symbol("code16_trampoline_start", 0, ElfSymbolType.NoType)
            .Symbol("code64_after", 3, ElfSymbolType.NoType)
            .PvhNote(), "code16_trampoline_start");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("trampoline_start (= code16_trampoline_start): 0x100000-0x100003", output);
        Assert.Contains("16-bit", output);
        Assert.Contains("push ds", output);
    }

    [Fact]
    public void AnUnknownSyntaxIsBadInput()
    {
        var (exitCode, output) = Disasm(Sample(), "main", "att");

        Assert.Equal(2, exitCode);
        Assert.Contains("unknown syntax 'att'", output);
    }

    [Fact]
    public void Code32FunctionsAreShownIn32BitWithTheirLocalLabels()
    {
        var (exitCode, output) = Disasm(new ElfBuilder(Hex.Bytes("60 61 EB FE C3"))
            .Symbol("code32_entry", 0, ElfSymbolType.NoType)
            .Symbol("code32_entry.hang", 2, ElfSymbolType.NoType)
            .Symbol("code64_next", 4, ElfSymbolType.NoType)
            .PvhNote(), "code32_entry");

        Assert.Equal(0, exitCode);
        Assert.Contains("32-bit", output);
        Assert.Contains("pushad", output);
        Assert.Contains("code32_entry.hang:", output);
        Assert.Contains("jmp code32_entry.hang", output);
        Assert.DoesNotContain("ret", output);
    }
}
