using System.CommandLine;
using Runner.Config;
using Runner.Reporting;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner list`: the test entries as the runner understands them.</summary>
public static class ListCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("list", "List the tests in tests/unittests.cfg (tests/errata.cfg is checked too)");
        command.SetAction(p =>
        {
            var paths = global.Paths(p);
            var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
            var errata = ErrataParser.ParseFile(paths.ErrataConfig, paths.Display(paths.ErrataConfig), entries);
            var console = ConsoleFactory.Create();
            console.Write(TestListTable.Build(entries, errata, e => File.Exists(paths.KernelImage(e.File))));
            return ExitCodes.Success;
        });
        return command;
    }
}
