using System.CommandLine;
using Runner.Reporting;

namespace Runner.Cli;

/// <summary>`runner totals DIR`: one closing line over unit-test TRX and test-kernel JUnit files.</summary>
public static class TotalsCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Folder holding *.trx (dotnet test --logger trx) and *.xml (runner run --junit)" };
        var stages = new Option<string[]>("--stage") { Description = "NAME=STATUS of a stage that wrote NAME.xml (`unit`: the TRX files); a non-zero status with no failure in its files counts as one failure", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false };
        var command = new Command("totals", "Add up unit-test and test-kernel results into one `N passed, N failed, N skipped` line") { dir, stages };
        command.SetAction(p =>
        {
            var path = p.GetValue(dir)!;
            if (!Directory.Exists(path))
                throw new UserErrorException($"{path}: no such directory: run `make test`, which writes build/test-results/");
            var exits = (p.GetValue(stages) ?? []).Select(StageExit.Parse).ToList();
            ResultTotals totals;
            try { totals = ResultTotals.FromDirectory(path).WithStages(path, exits, Console.Out); }
            catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException)
            {
                throw new UserErrorException($"{path}: unreadable result file ({e.Message}): rerun the tests that wrote it");
            }
            if (totals.Files == 0)
                throw new UserErrorException($"{path}: no *.trx or *.xml result files: nothing was run");
            totals.Write(Console.Out);
            return totals.Failed > 0 ? ExitCodes.TestsFailed : ExitCodes.Success;
        });
        return command;
    }
}
