using System.CommandLine;
using Runner.Bench;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner compare A.json B.json`: two `runner ipi`, `vmexit` or `wakeup --json` results side by side.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var a = new Argument<string>("a") { Description = "The baseline: a file from `runner ipi --json`, `runner vmexit --json` or `runner wakeup --json`" };
        var b = new Argument<string>("b") { Description = "The other file" };
        var plot = new Option<string?>("--plot") { Description = "Also draw both results' runs side by side (points and boxes per column) to this .png or .svg" };
        plot.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } f && !PlotFile.IsPlotPath(f)) r.AddError($"--plot {f}: the file must end in .png or .svg"); });
        var command = new Command("compare", "Compare two `runner ipi --json` (or two `runner vmexit --json`, or two `runner wakeup --json`) results column by column (mean, change, Welch's t-test, CV)") { a, b, plot };
        command.SetAction(p =>
        {
            var pathA = p.GetValue(a)!;
            var pathB = p.GetValue(b)!;
            var console = ConsoleFactory.Create();
            // Either file's schema decides: the other is then refused by name if it differs.
            bool Is(string schema) => BenchReportFile.SchemaOf(pathA) == schema || BenchReportFile.SchemaOf(pathB) == schema;
            if (Is(VmexitReport.CurrentSchema))
            {
                var (ra, rb) = (VmexitCompare.Load(pathA), VmexitCompare.Load(pathB));
                var result = VmexitCompare.Compare(ra, rb);
                CompareConsoleReport.Write(console, (pathA, ra), (pathB, rb), CompareConsoleReport.WhenWhereCpu, VmexitCompare.Title, VmexitCompare.Table(result), result.Notes);
            }
            else if (Is(WakeupReport.CurrentSchema))
            {
                var (ra, rb) = (WakeupCompare.Load(pathA), WakeupCompare.Load(pathB));
                var result = WakeupCompare.Compare(ra, rb);
                CompareConsoleReport.Write(console, (pathA, ra), (pathB, rb), CompareConsoleReport.WhenWhereCpu, WakeupCompare.Title, WakeupCompare.Table(result), result.Notes);
            }
            else
            {
                var (ra, rb) = (IpiCompare.Load(pathA), IpiCompare.Load(pathB));
                var result = IpiCompare.Compare(ra, rb);
                CompareConsoleReport.Write(console, (pathA, ra), (pathB, rb), CompareConsoleReport.WhenCpuBackend,
                    "C# round-trip cycles per column (mean of the runs' batch averages); change = (B - A) / A:", IpiCompare.Table(result), result.Notes);
                if (p.GetValue(plot) is { } plotPath)
                {
                    var line = "runner " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
                    console.WriteLine($"plot: {PlotFile.Save(IpiPlot.BuildCompare(ra, rb, line).Plot, plotPath)}");
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
