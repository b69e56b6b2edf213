namespace ImageTool.Tests;

public class SseScannerTests
{
    [Theory]
    [InlineData("0F 57 C0", "xorps xmm0,xmm0", "SSE xmm0")]
    [InlineData("66 0F EF C0", "pxor xmm0,xmm0", "SSE2 xmm0")]
    [InlineData("66 0F 6E C0", "movd xmm0,eax", "SSE2 xmm0")]
    [InlineData("C5 F8 77", "vzeroupper", "AVX YMM/ZMM state")]
    [InlineData("62 F1 7C 48 28 C1", "vmovaps zmm0,zmm1", "AVX512F zmm0")]
    [InlineData("C5 F8 90 C1", "kmovw k0,k1", "AVX512F k0")]
    [InlineData("D9 E8", "fld1", "x87")]
    [InlineData("DB E3", "fninit", "x87")]
    [InlineData("9B", "fwait", "x87 (fwait checks x87 exceptions)")]
    [InlineData("0F AE 10", "ldmxcsr [rax]", "MXCSR")]
    [InlineData("0F AE 18", "stmxcsr [rax]", "MXCSR")]
    [InlineData("0F AE 00", "fxsave [rax]", "x87/SSE state save")]
    [InlineData("0F AE 20", "xsave [rax]", "extended state save")]
    [InlineData("0F 01 D0", "xgetbv", "XCR0 (extended state control)")]
    [InlineData("0F 77", "emms", "MMX state")]
    [InlineData("0F FC C1", "paddb mm0,mm1", "MMX mm0")]
    public void FlagsInstructionsThatTouchSimdOrFpuState(string hex, string text, string reason)
    {
        var finding = Assert.Single(SseScanner.Scan(Hex.Bytes(hex), 0x1000, 64));

        Assert.Equal(FindingKind.SimdOrFpuState, finding.Kind);
        Assert.Equal(0x1000UL, finding.Address);
        Assert.Equal(text, finding.Instruction);
        Assert.Equal(reason, finding.Reason);
    }

    [Theory]
    [InlineData("0F 31", 1)]             // rdtsc
    [InlineData("0F 30", 1)]             // wrmsr
    [InlineData("0F 32", 1)]             // rdmsr
    [InlineData("0F A2", 1)]             // cpuid
    [InlineData("48 89 C8", 1)]          // mov rax,rcx
    [InlineData("F3 90", 1)]             // pause
    [InlineData("0F AE E8", 1)]          // lfence: SSE2 by CPUID, but no SIMD state
    [InlineData("0F AE F8", 1)]          // sfence
    [InlineData("0F AE F0", 1)]          // mfence
    [InlineData("0F 18 00", 1)]          // prefetchnta
    [InlineData("0F C3 00", 1)]          // movnti: SSE2, GPR source
    [InlineData("E6 80", 1)]             // out 0x80,al
    [InlineData("0F 22 D8", 1)]          // mov cr3,rax
    [InlineData("CC CC CC", 3)]          // int3 padding
    [InlineData("90 0F 1F 44 00 00", 2)] // nop padding
    [InlineData("0F 0B", 1)]             // ud2
    public void LeavesIntegerAndSystemInstructionsAlone(string hex, int instructions)
    {
        var result = SseScanner.ScanCode(Hex.Bytes(hex), 0x1000, 64);

        Assert.Empty(result.Findings);
        Assert.Equal(instructions, result.InstructionCount);
    }

    [Fact]
    public void ReportsTheAddressOfTheOffendingInstruction()
    {
        var finding = Assert.Single(SseScanner.Scan(Hex.Bytes("90 90 0F 57 C0 C3"), 0x101000, 64));

        Assert.Equal(0x101002UL, finding.Address);
        Assert.Equal(3, finding.Length);
    }

    [Fact]
    public void ReportsEveryOffendingInstruction()
    {
        var findings = SseScanner.Scan(Hex.Bytes("0F 57 C0 48 89 C8 0F 11 00 D9 E8"), 0, 64);

        Assert.Equal(new ulong[] { 0, 6, 9 }, findings.Select(f => f.Address));
    }

    [Fact]
    public void MergesARunOfUndecodableBytesIntoOneFinding()
    {
        var result = SseScanner.ScanCode(Hex.Bytes("90 FF FF FF FF C3"), 0x2000, 64);

        var finding = Assert.Single(result.Findings);
        Assert.Equal(FindingKind.InvalidInstruction, finding.Kind);
        Assert.Equal(0x2001UL, finding.Address);
        Assert.Equal(4, finding.Length);
        Assert.Equal("(bad) ff ff ff ff", finding.Instruction);
        Assert.Equal(2, result.InstructionCount);
    }

    [Fact]
    public void ReportsAnInstructionCutOffByTheEndOfTheCode()
    {
        var finding = Assert.Single(SseScanner.Scan(Hex.Bytes("C3 0F"), 0, 64));

        Assert.Equal(FindingKind.InvalidInstruction, finding.Kind);
        Assert.Equal(1UL, finding.Address);
        Assert.Contains("cut off", finding.Reason);
    }

    [Fact]
    public void DecodesInTheRequestedBitness()
    {
        var code = Hex.Bytes("B8 00 00 00 00"); // mov eax,0 in 32/64-bit; mov ax,0 + add [bx+si],al in 16-bit

        Assert.Equal(1, SseScanner.ScanCode(code, 0, 64).InstructionCount);
        Assert.Equal(1, SseScanner.ScanCode(code, 0, 32).InstructionCount);
        Assert.Equal(2, SseScanner.ScanCode(code, 0, 16).InstructionCount);
    }

    [Fact]
    public void LegacyOpcodesAreValidIn32BitCodeButNotIn64BitCode()
    {
        var code = Hex.Bytes("60 61"); // pushad; popad

        Assert.Empty(SseScanner.Scan(code, 0, 32));
        Assert.Equal(FindingKind.InvalidInstruction, Assert.Single(SseScanner.Scan(code, 0, 64)).Kind);
    }

    [Fact]
    public void KeepsFullAddressesFor16BitCodeAbove64KiB()
    {
        var finding = Assert.Single(SseScanner.Scan(Hex.Bytes("90 D9 E8"), 0x108000, 16));

        Assert.Equal(0x108001UL, finding.Address);
    }

    [Fact]
    public void RejectsAnUnknownBitness()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SseScanner.Scan(Hex.Bytes("90"), 0, 8));
    }
}
