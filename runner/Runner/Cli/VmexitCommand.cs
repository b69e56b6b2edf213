using System.CommandLine;
using System.Globalization;
using Runner.Bench;
using Runner.Host;
using Runner.Processes;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>
/// `runner vmexit [cases]`: kvm-unit-tests' x86/vmexit micro-benchmarks, measured by the vmexit
/// kernel in one boot per run, per host setting (APICv/AVIC off and on), with the VM exits of
/// each case from KVM's counters.
/// </summary>
public static class VmexitCommand
{
    public static Command Create(GlobalOptions global)
    {
        var cases = new Argument<string[]>("cases") { Description = "Cases to run (default: all), e.g. cpuid ipi_halt", Arity = ArgumentArity.ZeroOrMore };
        var runs = new Option<int>("--runs") { Description = "Boots per host setting", DefaultValueFactory = _ => 5 };
        var batches = new Option<int>("--batches") { Description = "Timed batches per case (min, median, p99 are over these)", DefaultValueFactory = _ => 16 };
        var ops = new Option<int>("--ops") { Description = "Operations per batch", DefaultValueFactory = _ => 64 };
        var parallel = new Option<bool>("--parallel") { Description = "Run the parallel cases (cpuid, MSR writes, ...) on every vCPU at once, as kvm-unit-tests does" };
        var apicv = new Option<bool>("--apicv") { Description = "Only the APICv/AVIC-on setting" };
        var noApicv = new Option<bool>("--no-apicv") { Description = "Only the APICv/AVIC-off setting" };
        var plot = PlotFile.Option("Also draw cycles/op and exits/op per case, one bar per host setting, to this .png or .svg");
        var json = new Option<string?>("--json") { Description = "Write every boot's metrics, counters and the figures to this file (for runner compare)" };
        var leaveOut = new Option<string[]>("--leave-out") { Description = "Cases no boot runs, CASE or CASE=WHY (their rows say skip, or lost and why); under --host-kernel the runner adds the case an L0 QEMU abort ended L1 in, and boots L1 again", AllowMultipleArgumentsPerToken = false };
        var reload = new Option<bool>("--reload-kvm") { Description = "Reload kvm_intel/kvm_amd with the enable_apicv/avic a column needs, and restore them afterwards (root, no other VMs)" };
        runs.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--runs must be 1 to 1000"); });
        batches.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 256) r.AddError("--batches must be 1 to 256"); });
        ops.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1_000_000) r.AddError("--ops must be 1 to 1000000"); });
        cases.Validators.Add(r =>
        {
            foreach (var c in r.GetValueOrDefault<string[]>() ?? [])
                if (c.Length == 0 || c.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-')))
                    r.AddError($"case '{c}' is not a case name (letters, digits, _ and -): see the rows of `runner vmexit`");
        });
        var command = new Command("vmexit", "Measure the cost of VM exits (kvm-unit-tests' x86/vmexit cases): cycles and exits per operation, per host setting")
        {
            cases, runs, batches, ops, parallel, apicv, noApicv, json, plot, reload, leaveOut,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(apicv) && r.GetValue(noApicv)) r.AddError("give --apicv or --no-apicv, not both");
        });
        command.SetAction(p =>
        {
            var plan = new VmexitPlan
            {
                Columns = VmexitColumn.All(p.GetValue(apicv) ? [Want.On] : p.GetValue(noApicv) ? [Want.Off] : [Want.Off, Want.On]),
                Cases = p.GetValue(cases) ?? [],
                Runs = p.GetValue(runs),
                Batches = p.GetValue(batches),
                OpsPerBatch = p.GetValue(ops),
                Parallel = p.GetValue(parallel),
                ReloadKvm = p.GetValue(reload),
            }.WithLeaveOut(p.GetValue(leaveOut) ?? []);
            return RunAsync(global, p, plan, p.GetValue(json), p.GetValue(plot));
        });
        return command;
    }

    static async Task<int> RunAsync(GlobalOptions global, ParseResult p, VmexitPlan plan, string? json, string? plot)
    {
        var env = await BenchEnvironment.OpenAsync(global.Paths(p), p.GetValue(global.Qemu), VmexitSession.Target);
        var console = ConsoleFactory.Create();
        var session = new VmexitSession(env, plan, null!);   // set below, inside the progress display
        foreach (var line in VmexitConsoleReport.HeaderLines(session.Report(null)))
            console.WriteLine(line);

        VmexitBench.Outcome outcome;
        // A reload must be undone before the runner exits, whatever signal ends it.
        using (DeferredTermination.While(plan.ReloadKvm))
            outcome = await StepProgress.RunAsync(console, VmexitProgress.Steps(plan.Columns, plan.Runs), progress =>
            {
                session.Bench.Progress = new VmexitProgress(progress, plan.Columns, plan.Runs);
                session.Bench.Columns.Note = line => progress.Line($"note: {line}");
                return session.Bench.RunAsync(plan, ChildProcesses.InterruptToken);
            });
        var report = session.Report(outcome);
        VmexitConsoleReport.WriteResults(console, report);
        if (json is not null)
        {
            await JsonFiles.WriteAsync(json, report);
            console.WriteLine($"json: {Path.GetFullPath(json)}");
        }
        if (plot is not null)
            console.WriteLine($"plot: {PlotFile.Save(VmexitPlot.Build(report).Plot, plot)}");
        console.WriteLine($"wall time: {env.Clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");

        var verdict = VmexitSession.Verdict(outcome, plan, report);
        if (verdict == BenchVerdict.Interrupted)
            Console.Error.WriteLine("runner: interrupted; QEMU processes were stopped" + (plan.ReloadKvm ? " and KVM module parameters restored" : ""));
        else if (verdict == BenchVerdict.UsageError)
            Console.Error.WriteLine($"runner: unknown case(s) {string.Join(", ", VmexitSession.UnknownCases(plan, report))}: the kernel has {string.Join(", ", VmexitSession.KnownCases(report))}");
        return ExitCodes.Of(verdict);
    }
}
