using System.CommandLine;
using Runner.Execution;
using ImageTool;

namespace Runner.Cli;

/// <summary>`runner disasm &lt;test&gt; [symbol]`: disassemble a test's kernel image by test name, through linker/ImageTool.Lib.</summary>
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
            var image = SuiteSelection.ImageOf(global.Paths(p), p.GetValue(test)!);
            return ImageCommands.Disasm(image, p.GetValue(symbol), p.GetValue(syntax)!, Console.Out, p.GetValue(calls));
        });
        return command;
    }
}
