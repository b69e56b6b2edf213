using System.Globalization;
using Runner.Bench;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>Everything `runner ipi` writes after its runs: the tables, then the files asked for.</summary>
public static class IpiOutputs
{
    public static async Task WriteAsync(IAnsiConsole console, IpiReport report, IpiRequest req, TimeSpan wall)
    {
        IpiConsoleReport.WriteResults(console, report);
        if (req.Json is not null)
        {
            await JsonFiles.WriteAsync(req.Json, report);
            console.WriteLine($"json: {Path.GetFullPath(req.Json)}");
        }
        if (req.JUnit is not null)
            IpiJUnitWriter.Build(report, req.KeepPit).Save(req.JUnit);
        if (req.Plot is not null)
            console.WriteLine($"plot: {PlotFile.Save(IpiPlot.Build(report).Plot, req.Plot)}");
        console.WriteLine($"wall time: {wall.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
    }
}
