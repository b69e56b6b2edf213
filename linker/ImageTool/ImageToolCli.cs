using System.CommandLine;

namespace ImageTool;

/// <summary>The imagetool command line: parses arguments and dispatches to <see cref="ImageCommands"/>.</summary>
public static class ImageToolCli
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = BuildRoot(output, error);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Exit code 1 means "the image failed a check", so usage errors get 2 like any bad input.
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"imagetool: {parseError.Message}");
            }

            error.WriteLine("imagetool: run 'imagetool --help' for usage");
            return ImageCommands.BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static RootCommand BuildRoot(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "imagetool: checks and disassembles freestanding x86-64 kernel images (ELF64) built by ilc + NASM + ld.lld. " +
            "Exit codes: 0 ok, 1 check failed, 2 bad input.");
        root.Add(BuildCheck(output, error));
        root.Add(BuildDisasm(output, error));
        root.Add(BuildLayout(output, error));
        return root;
    }

    private static Command BuildCheck(TextWriter output, TextWriter error)
    {
        var elf = new Argument<string>("elf") { Description = "The linked kernel image, e.g. build/selftest.elf" };
        var check = new Command("check",
            "Fails (exit 1) if any instruction in an executable section uses SSE/AVX/x87/MMX state or does not " +
            "decode inside a function, if the PVH note (\"Xen\", type 18) is missing or points outside the loaded " +
            "image, or if any symbol is undefined. " + SymbolConventions.HelpText)
        {
            elf,
        };
        check.SetAction(result =>
            ImageCommands.Guard(output, error, () => ImageCommands.CheckOrThrow(result.GetValue(elf)!, output)));
        return check;
    }

    private static Command BuildLayout(TextWriter output, TextWriter error)
    {
        var assembly = new Argument<string>("assembly") { Description = "The kernel assembly ilc compiles, e.g. build/selftest/kernel.dll" };
        var sources = new Argument<string[]>("sources") { Description = "NASM sources and includes whose %define comments name C# members", Arity = ArgumentArity.OneOrMore };
        var layout = new Command("layout",
            "Fails (exit 1) if a NASM %define that names a C# member in its comment disagrees with the compiled " +
            "assembly: '%define X 16 ; Type.Field' claims the field's offset, '%define X 1024 ; = Type.Const' a constant's value.")
        {
            assembly,
            sources,
        };
        layout.SetAction(result => ImageCommands.Guard(output, error, () =>
            ImageCommands.LayoutOrThrow(result.GetValue(assembly)!, result.GetValue(sources)!, output)));
        return layout;
    }

    private static Command BuildDisasm(TextWriter output, TextWriter error)
    {
        var elf = new Argument<string>("elf") { Description = "The ELF image" };
        var symbol = new Argument<string?>("symbol")
        {
            Description = "Function to disassemble: exact name or unique substring; omit to list all functions",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var syntax = new Option<string>("--syntax")
        {
            Description = "Assembler syntax",
            DefaultValueFactory = _ => InstructionText.Intel,
        };
        syntax.AcceptOnlyFromAmong(InstructionText.Intel, InstructionText.Gas);
        var list = new Option<bool>("--list") { Description = "List function symbols (those matching symbol, if given)" };
        var calls = new Option<bool>("--calls") { Description = "Also disassemble every function the symbol reaches by direct call or jump" };
        var disasm = new Command("disasm",
            "Prints a function's code with addresses and bytes; SSE/x87 instructions are marked. " + SymbolConventions.HelpText)
        {
            elf,
            symbol,
            syntax,
            list,
            calls,
        };
        disasm.SetAction(result => ImageCommands.Guard(output, error, () => ImageCommands.DisasmOrThrow(
            result.GetValue(elf)!, result.GetValue(symbol), result.GetValue(syntax)!, result.GetValue(list), output, result.GetValue(calls))));
        return disasm;
    }
}
