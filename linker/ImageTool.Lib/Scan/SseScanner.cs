using Iced.Intel;

namespace ImageTool;

/// <summary>
/// Decodes machine code with Iced and reports instructions that touch SIMD/FPU state and bytes
/// that do not decode. Works on plain bytes, so tests need no ELF file.
/// </summary>
public static class SseScanner
{
    /// <summary>All findings (both kinds) for <paramref name="code"/> loaded at <paramref name="address"/>.</summary>
    public static IReadOnlyList<CodeFinding> Scan(ReadOnlySpan<byte> code, ulong address, int bitness) =>
        ScanCode(code, address, bitness).Findings;

    /// <param name="bitness">16, 32 or 64: the CPU mode the code runs in.</param>
    public static CodeScanResult ScanCode(ReadOnlySpan<byte> code, ulong address, int bitness)
    {
        var bytes = code.ToArray();
        var formatter = InstructionText.CreateFormatter(InstructionText.Intel);
        var infoFactory = new InstructionInfoFactory();
        var findings = new List<CodeFinding>();
        int count = 0;
        ulong? badStart = null;
        bool cutOff = false;

        foreach (var (at, instruction) in InstructionStream.Decode(bytes, address, bitness))
        {
            if (instruction.IsInvalid)
            {
                // One finding per run of undecodable bytes, not one per byte.
                badStart ??= at;
                cutOff = at + (ulong)instruction.Length >= address + (ulong)bytes.Length;
                continue;
            }

            FlushInvalid(findings, bytes, address, ref badStart, at, "invalid instruction");
            count++;
            string? reason = ForbiddenState.Reason(instruction, infoFactory);
            if (reason is not null)
            {
                findings.Add(new CodeFinding(FindingKind.SimdOrFpuState, at, instruction.Length,
                    InstructionText.Format(formatter, instruction), reason));
            }
        }

        FlushInvalid(findings, bytes, address, ref badStart, address + (ulong)bytes.Length,
            cutOff ? "invalid or cut off by the end of the range" : "invalid instruction");
        return new CodeScanResult(count, findings);
    }

    private static void FlushInvalid(List<CodeFinding> findings, byte[] bytes, ulong baseAddress, ref ulong? badStart, ulong badEnd, string reason)
    {
        if (badStart is not { } start)
        {
            return;
        }

        int offset = (int)(start - baseAddress);
        int length = (int)(badEnd - start);
        string shown = HexBytes.Format(bytes.AsSpan(offset, Math.Min(length, 16)));
        findings.Add(new CodeFinding(FindingKind.InvalidInstruction, start, length,
            $"(bad) {shown}{(length > 16 ? " ..." : "")}", reason));
        badStart = null;
    }
}
