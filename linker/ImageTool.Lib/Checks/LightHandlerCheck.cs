using Iced.Intel;

namespace ImageTool;

/// <summary>
/// The light lean entries (kernel/boot/lean_entry.asm) save only rax, rcx and rdx before they
/// call their fixed handler, <c>lean_light_handler_N</c>; the rax-only entries save rax alone
/// and call <c>lean_rax_handler_N</c>. Such a handler, and everything it reaches, must therefore
/// not write the other caller-saved registers at all; the callee-saved ones the SysV ABI makes
/// every function restore. A weak handler is the boot code's default (lean_light_default.asm),
/// which saves the rest itself, so only a kernel's own (global) handler is checked.
/// </summary>
public static class LightHandlerCheck
{
    public const string Prefix = "lean_light_handler_";
    public const string RaxPrefix = "lean_rax_handler_";

    /// <summary>Each family of entries: its handlers' prefix, the registers it leaves unsaved, its name in messages.</summary>
    static readonly (string Prefix, Register[] NotSaved, string Entry)[] Families =
    [
        (Prefix, [Register.RSI, Register.RDI, Register.R8, Register.R9, Register.R10, Register.R11], "a light entry"),
        (RaxPrefix, [Register.RCX, Register.RDX, Register.RSI, Register.RDI, Register.R8, Register.R9, Register.R10, Register.R11], "a rax-only entry"),
    ];

    /// <summary>One line per problem: the handler, the register or branch, and where.</summary>
    public static IReadOnlyList<string> Run(ElfImage image, IReadOnlyList<FunctionSymbol> functions)
    {
        var problems = new List<string>();
        foreach (var family in Families)
        {
            problems.AddRange(Run(image, functions, family.Prefix, family.NotSaved, family.Entry));
        }

        return problems;
    }

    private static List<string> Run(ElfImage image, IReadOnlyList<FunctionSymbol> functions, string prefix, Register[] notSaved, string entry)
    {
        var problems = new List<string>();
        var handlers = image.Symbols
            .Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.IsInSection && s.Binding != ElfSymbolBinding.Weak)
            .DistinctBy(s => s.Name);
        foreach (var handler in handlers)
        {
            var function = functions.FirstOrDefault(f => f.Start == handler.Value);
            if (function is null)
            {
                problems.Add($"{handler.Name}: no code at 0x{handler.Value:x} to check");
                continue;
            }

            var start = SymbolLookup.WithLocalLabels(functions, function);
            var reached = CallFollower.Reached(image, functions, start);
            if (reached.Count >= CallFollower.MaxFollowed)
            {
                problems.Add($"{handler.Name}: reaches {CallFollower.MaxFollowed} or more functions, more than this check follows; keep a light handler small");
                continue;
            }

            foreach (var parts in reached.Prepend(start))
            {
                problems.AddRange(Problems(image, parts, notSaved, entry).Select(p => $"{handler.Name}: {p}"));
            }
        }

        return problems;
    }

    private static IEnumerable<string> Problems(ElfImage image, IReadOnlyList<FunctionSymbol> parts, Register[] notSaved, string entry)
    {
        var info = new InstructionInfoFactory();
        foreach (var part in parts)
        {
            var code = image.SectionData(part.Section)
                .Slice((int)(part.Start - part.Section.Address), (int)part.Size)
                .ToArray();
            foreach (var (address, instruction) in InstructionStream.Decode(code, part.Start, part.Bitness))
            {
                string where = $"at 0x{address:x} ({part.Name}+0x{address - part.Start:x}: {instruction})";
                if (instruction.FlowControl == FlowControl.IndirectCall)
                {
                    yield return $"indirect call {where}: its target cannot be checked";
                }
                else if (instruction.FlowControl == FlowControl.IndirectBranch && parts.Count == 1)
                {
                    // apic_entries.asm's mode entries jump through a pointer to labels of their own
                    // function, which are decoded here with it; a jump elsewhere cannot be followed.
                    yield return $"indirect jump {where} in a function without local labels: its target cannot be checked";
                }

                foreach (var used in info.GetInfo(instruction).GetUsedRegisters())
                {
                    bool writes = used.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite;
                    var full = used.Register.GetFullRegister();
                    if (writes && notSaved.Contains(full))
                    {
                        yield return $"writes {full.ToString().ToLowerInvariant()} {where}, which {entry} does not save";
                    }
                }
            }
        }
    }
}
