using System.CommandLine;
using Runner.Bench;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner compare A.json B.json`: two `runner ipi --json` results side by side.</summary>
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
            if (VmexitCompare.IsVmexitFile(pathA) || VmexitCompare.IsVmexitFile(pathB))
                return VmexitCompareCommand.Run(pathA, pathB);
            if (WakeupCompare.IsWakeupFile(pathA) || WakeupCompare.IsWakeupFile(pathB))
                return WakeupCompareCommand.Run(pathA, pathB);
            var ra = IpiCompare.Load(pathA);
            var rb = IpiCompare.Load(pathB);
            var result = IpiCompare.Compare(ra, rb);
            var console = ConsoleFactory.Create();
            console.WriteLine($"A: {pathA} ({ra.Started:u}, {ra.Host.CpuModel}, {ra.Host.KvmBackend})");
            console.WriteLine($"B: {pathB} ({rb.Started:u}, {rb.Host.CpuModel}, {rb.Host.KvmBackend})");
            console.WriteLine("C# round-trip cycles per column (mean of the runs' batch averages); change = (B - A) / A:");
            IpiConsoleReport.Write(console, IpiCompare.Table(result));
            foreach (var note in result.Notes)
                console.WriteLine($"note: {note}");
            if (p.GetValue(plot) is { } plotPath)
            {
                var command = "runner " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
                console.WriteLine($"plot: {PlotFile.Save(IpiPlot.BuildCompare(ra, rb, command).Plot, plotPath)}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
