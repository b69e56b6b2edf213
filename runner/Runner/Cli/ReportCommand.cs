using System.CommandLine;
using Runner.Reporting;
using Runner.Reporting.Fleet;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner report FILES|DIRS…`: many hosts' `runner ipi --json` results in one table, as text, HTML and a plot.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "`runner ipi --json` files, or folders searched for *.json (e.g. CI artifacts)", Arity = ArgumentArity.OneOrMore };
        var html = new Option<string?>("--html") { Description = "Also write a standalone HTML page (table, reasons, plot inlined; nothing fetched)" };
        var plot = new Option<string?>("--plot") { Description = "Also draw every host's runs per column to this .png or .svg" };
        plot.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } f && !PlotFile.IsPlotPath(f)) r.AddError($"--plot {f}: the file must end in .png or .svg"); });
        var command = new Command("report", "Merge `runner ipi --json` results from many hosts into one table (text, --html, --plot)") { inputs, html, plot };
        command.SetAction(async p =>
        {
            var (sources, notes) = FleetSources.Load(p.GetValue(inputs)!);
            var table = FleetTable.Build(sources);
            var console = ConsoleFactory.Create();
            var commandLine = "runner " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var title = $"IPI round trips on {sources.Count} host/setting result(s)";
            console.WriteLine(title);
            IpiConsoleReport.Write(console, table);
            foreach (var n in notes) console.WriteLine($"note: {n}");

            PlotContent? drawn = p.GetValue(plot) is not null || p.GetValue(html) is not null ? FleetPlot.Build(sources, commandLine) : null;
            if (p.GetValue(plot) is { } plotPath)
                console.WriteLine($"plot: {PlotFile.Save(drawn!.Plot, plotPath)}");
            if (p.GetValue(html) is { } htmlPath)
            {
                var svg = drawn!.Plot.GetSvgXml(PlotFile.Width, PlotFile.Height);
                var full = Path.GetFullPath(htmlPath);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, FleetHtml.Render($"{title} — {commandLine}", table, sources, notes, svg));
                console.WriteLine($"html: {full}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
