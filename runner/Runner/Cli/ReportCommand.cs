using System.CommandLine;
using Runner.Reporting;
using Runner.Reporting.Fleet;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner report FILES|DIRS…`: many hosts' `--json` results (ipi, vmexit, pveoi, wakeup) in one table per kind, as text, HTML and plots.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = $"`{FleetSources.Kinds}` files, or folders searched for *.json (e.g. CI artifacts)", Arity = ArgumentArity.OneOrMore };
        var html = new Option<string?>("--html") { Description = "Also write a standalone HTML page (tables, reasons, plots inlined; nothing fetched)" };
        var plot = PlotFile.Option("Also draw every host's runs per column to this .png or .svg (a second kind of result goes to FILE-vmexit.png and so on)");
        var command = new Command("report", "Merge `--json` results of runner ipi, vmexit, pveoi and wakeup from many hosts into one table per kind (text, --html, --plot)") { inputs, html, plot };
        command.SetAction(async p =>
        {
            var loaded = FleetSources.Load(p.GetValue(inputs)!);
            var console = ConsoleFactory.Create();
            var commandLine = "runner " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            bool drawing = p.GetValue(plot) is not null || p.GetValue(html) is not null;
            var kinds = FleetReport.Kinds(loaded, drawing ? commandLine : null);
            var title = $"Fleet report: {loaded.Count} host/setting result(s)";
            console.WriteLine(title);
            foreach (var kind in kinds)
            {
                console.WriteLine();
                console.WriteLine(kind.Heading);
                IpiConsoleReport.Write(console, kind.Table);
                foreach (var r in kind.Reasons) console.WriteLine($"  {r}");
            }
            foreach (var n in loaded.Notes) console.WriteLine($"note: {n}");

            if (p.GetValue(plot) is { } plotPath)
            {
                bool firstPlot = true;
                foreach (var kind in kinds.Where(k => k.Plot is not null))
                {
                    var path = firstPlot ? plotPath : FleetReport.SiblingPath(plotPath, kind.Name);
                    console.WriteLine($"plot ({kind.Name}): {PlotFile.Save(kind.Plot!.Plot, path)}");
                    firstPlot = false;
                }
                if (firstPlot)
                    console.WriteLine("plot: none written: PV-EOI results are one boot per side, with no distribution to draw");
            }
            if (p.GetValue(html) is { } htmlPath)
            {
                var sections = kinds.Select(k => new FleetSection(k.Heading, k.Table, k.Reasons,
                    k.Plot?.Plot.GetSvgXml(PlotFile.Width, PlotFile.Height))).ToList();
                var full = Path.GetFullPath(htmlPath);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, FleetHtml.Render($"{title} — {commandLine}", sections, loaded.Notes));
                console.WriteLine($"html: {full}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
