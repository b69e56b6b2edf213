using System.CommandLine;
using System.Globalization;
using Runner.Bench;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Protocol;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner wakeup`: options in, <see cref="WakeupSession"/> runs, the table out.</summary>
public static class WakeupCommand
{
    public static Command Create(GlobalOptions global)
    {
        var sources = new Argument<string[]>("sources") { Description = "Sources to measure (default: all): ipi timer msi", Arity = ArgumentArity.ZeroOrMore };
        var runs = new Option<int>("--runs") { Description = "Boots per host setting", DefaultValueFactory = _ => 3 };
        var samples = new Option<int>("--samples") { Description = "Samples per source and target state in each boot", DefaultValueFactory = _ => 200 };
        var gap = new Option<int>("--gap-us") { Description = "How long CPU 0 waits after CPU 1 is ready (and how far ahead the timer is armed), microseconds", DefaultValueFactory = _ => 1000 };
        var apicv = new Option<bool>("--apicv") { Description = "Only the APICv/AVIC-on setting" };
        var noApicv = new Option<bool>("--no-apicv") { Description = "Only the APICv/AVIC-off setting" };
        var json = new Option<string?>("--json") { Description = "Write every boot's metrics, TSC check and the figures to this file" };
        var plot = PlotFile.Option("Also draw the latency distributions (CDFs per source, running vs halted) to this .png or .svg");
        var reload = new Option<bool>("--reload-kvm") { Description = "Reload kvm_intel/kvm_amd with the enable_apicv/avic a column needs, and restore them afterwards (root, no other VMs)" };
        runs.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--runs must be 1 to 1000"); });
        samples.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--samples must be 1 to 1000"); });
        gap.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100_000) r.AddError("--gap-us must be 1 to 100000"); });
        sources.Validators.Add(r =>
        {
            foreach (var s in r.GetValueOrDefault<string[]>() ?? [])
                if (!WakeupAnalysis.Sources.Contains(s))
                    r.AddError($"source '{s}' is not one of {string.Join(", ", WakeupAnalysis.Sources)}");
        });
        var command = new Command("wakeup", "Measure wake-up latency (IPI, TSC-deadline timer, edu MSI to a running or halted vCPU) per host setting")
        {
            sources, runs, samples, gap, apicv, noApicv, json, plot, reload,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(apicv) && r.GetValue(noApicv)) r.AddError("give --apicv or --no-apicv, not both");
        });
        command.SetAction(async p =>
        {
            ChildProcesses.InstallHandlers();
            var console = ConsoleFactory.Create();
            var request = new WakeupRequest
            {
                Paths = global.Paths(p),
                QemuOption = p.GetValue(global.Qemu),
                CommandLine = Environment.GetCommandLineArgs().Skip(1).ToList(),
                Plan = new WakeupPlan
                {
                    Columns = VmexitColumn.All(p.GetValue(apicv) ? [Want.On] : p.GetValue(noApicv) ? [Want.Off] : [Want.Off, Want.On]),
                    Sources = (p.GetValue(sources) ?? []).Distinct().ToList(),
                    Runs = p.GetValue(runs),
                    Samples = p.GetValue(samples),
                    GapMicroseconds = p.GetValue(gap),
                    ReloadKvm = p.GetValue(reload),
                },
            };
            WakeupReport report;
            bool interrupted, restoreFailed;
            // A reload must be undone before the runner exits, whatever signal ends it.
            using (DeferredTermination.While(request.Plan.ReloadKvm))
                (report, interrupted, restoreFailed) = await WakeupSession.RunAsync(request, new WakeupConsoleReport.PlainProgress(console),
                    started => { foreach (var line in WakeupConsoleReport.HeaderLines(started)) console.WriteLine(line); },
                    line => console.WriteLine($"note: {line}"));
            WakeupConsoleReport.WriteResults(console, report);
            if (p.GetValue(json) is { } file)
            {
                await JsonFiles.WriteAsync(file, report);
                console.WriteLine($"json: {Path.GetFullPath(file)}");
            }
            if (p.GetValue(plot) is { } plotFile)
                console.WriteLine($"plot: {PlotFile.Save(WakeupPlot.Build(report).Plot, plotFile)}");
            console.WriteLine($"wall time: {report.WallSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
            if (interrupted)
            {
                Console.Error.WriteLine("runner: interrupted; QEMU processes were stopped" + (request.Plan.ReloadKvm ? " and KVM module parameters restored" : ""));
                return ExitCodes.Interrupted;
            }
            if (restoreFailed) return ExitCodes.TestsFailed;
            bool anyFailed = report.Columns.Any(c => c.Unavailable is null && (c.Runs.Count == 0 || c.Runs.Any(r => !r.Outcome.PassedOrKnown())));
            return anyFailed ? ExitCodes.TestsFailed : ExitCodes.Success;
        });
        return command;
    }
}
