using System.CommandLine;
using Runner.Config;
using ImageTool;

namespace Runner.Cli;

/// <summary>`runner disasm &lt;test&gt; [symbol]`: disassemble a test's kernel image by test name, through linker/ImageTool.</summary>
public static class DisasmCommand
{
    public static Command Create(GlobalOptions global)
    {
        var test = new Argument<string>("test") { Description = "Test name from tests/unittests.cfg" };
        var symbol = new Argument<string?>("symbol")
        {
            Description = "Function name or unique substring; omitted: list all functions",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var syntax = new Option<string>("--syntax")
        {
            Description = "Assembly syntax",
            DefaultValueFactory = _ => "intel",
        };
        syntax.AcceptOnlyFromAmong("intel", "gas");
        var calls = new Option<bool>("--calls") { Description = "Also every function the symbol reaches by direct call or jump: a timed path in full" };

        var command = new Command("disasm", "Disassemble a test kernel (or one function of it)") { test, symbol, syntax, calls };
        command.SetAction(p =>
        {
            var paths = global.Paths(p);
            var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
            var entry = TestSelector.Select(entries, [p.GetValue(test)!], null)[0];
            var image = paths.KernelImage(entry.File);
            if (!File.Exists(image))
                throw new UserErrorException($"{paths.Display(image)} not found: run `make`");
            return ImageCommands.Disasm(image, p.GetValue(symbol), p.GetValue(syntax)!, Console.Out, p.GetValue(calls));
        });
        return command;
    }
}
