namespace ImageTool;

/// <summary>Prints a <see cref="CheckReport"/>: one line on success, every problem with its fix on failure.</summary>
public static class CheckReportWriter
{
    public static void Write(string imageName, CheckReport report, TextWriter output)
    {
        if (report.Passed)
        {
            output.WriteLine(
                $"imagetool: {imageName} OK: {report.InstructionCount} instructions in {report.FunctionCount} functions, " +
                $"0 SSE/x87, PVH entry 0x{report.PvhEntry:x}, {SizeText(report)}");
            return;
        }

        output.WriteLine($"imagetool: {imageName} FAILED ({report.InstructionCount} instructions in {report.FunctionCount} functions)");
        if (report.StateFindings.Count > 0)
        {
            output.WriteLine(
                $"  {report.StateFindings.Count} instruction(s) use SSE/AVX/x87/MMX state, which stops a KVM guest here with " +
                "\"KVM internal error\" (RyuJIT zeroes locals and copies structs with SSE: use [SkipLocalsInit], avoid large struct copies):");
            WriteFindings(report.StateFindings, output);
        }

        if (report.InvalidInstructions.Count > 0)
        {
            output.WriteLine(
                $"  {report.InvalidInstructions.Count} undecodable byte run(s) inside functions (data in a code section needs a data_ " +
                "or STT_OBJECT symbol; 32/16-bit code needs a code32_/code16_ symbol):");
            WriteFindings(report.InvalidInstructions, output);
        }

        if (report.PvhProblem is not null)
        {
            output.WriteLine($"  {report.PvhProblem}");
        }

        if (report.LightHandlerProblems is { Count: > 0 } light)
        {
            output.WriteLine(
                $"  {light.Count} problem(s) in light lean handlers, whose entry saves only rax, rcx and rdx (lean_light_handler_N) " +
                "or only rax (lean_rax_handler_N) (write no other caller-saved register, or install the handler with LeanIdt.Install, whose entry saves all nine):");
            foreach (var line in light)
            {
                output.WriteLine($"    {line}");
            }
        }

        if (report.UndefinedSymbols.Count > 0)
        {
            output.WriteLine(
                $"  {report.UndefinedSymbols.Count} undefined symbol(s); define them in the boot code or remove the references:");
            foreach (var symbol in report.UndefinedSymbols)
            {
                string weak = symbol.Binding == ElfSymbolBinding.Weak ? " (weak)" : "";
                output.WriteLine($"    {symbol.Name}{weak}");
            }
        }
    }

    private static void WriteFindings(IReadOnlyList<LocatedFinding> findings, TextWriter output)
    {
        foreach (var (location, finding) in findings)
        {
            output.WriteLine($"    {location}  0x{finding.Address:x}  {finding.Instruction}  [{finding.Reason}]");
        }
    }

    // Kernels reserve stacks and heaps in .bss, so the memory span can dwarf the file contents.
    private static string SizeText(CheckReport report)
    {
        ulong image = KiB(report.ImageBytes);
        ulong memory = KiB(report.MemoryBytes);
        return memory == image ? $"{image} KiB" : $"{image} KiB ({memory} KiB in memory)";
    }

    private static ulong KiB(ulong bytes) => (bytes + 1023) / 1024;
}
