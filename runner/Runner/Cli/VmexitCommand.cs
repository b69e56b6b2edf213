using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Runner.Bench;
using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Qemu;
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
    public const string EntryName = "vmexit";

    public static Command Create(GlobalOptions global)
    {
        var cases = new Argument<string[]>("cases") { Description = "Cases to run (default: all), e.g. cpuid ipi_halt", Arity = ArgumentArity.ZeroOrMore };
        var runs = new Option<int>("--runs") { Description = "Boots per host setting", DefaultValueFactory = _ => 5 };
        var batches = new Option<int>("--batches") { Description = "Timed batches per case (min, median, p99 are over these)", DefaultValueFactory = _ => 16 };
        var ops = new Option<int>("--ops") { Description = "Operations per batch", DefaultValueFactory = _ => 64 };
        var parallel = new Option<bool>("--parallel") { Description = "Run the parallel cases (cpuid, MSR writes, ...) on every vCPU at once, as kvm-unit-tests does" };
        var apicv = new Option<bool>("--apicv") { Description = "Only the APICv/AVIC-on setting" };
        var noApicv = new Option<bool>("--no-apicv") { Description = "Only the APICv/AVIC-off setting" };
        var json = new Option<string?>("--json") { Description = "Write every boot's metrics, counters and the figures to this file (for runner compare)" };
        var plot = PlotFile.Option("Also draw cycles/op and exits/op per case, one bar per host setting, to this .png or .svg");
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
            cases, runs, batches, ops, parallel, apicv, noApicv, json, plot,
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
            };
            return RunAsync(global, p, plan, p.GetValue(json), p.GetValue(plot));
        });
        return command;
    }

    static async Task<int> RunAsync(GlobalOptions global, ParseResult p, VmexitPlan plan, string? json, string? plot)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.Now;
        ChildProcesses.InstallHandlers();
        var paths = global.Paths(p);
        var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
        var entry = entries.FirstOrDefault(e => e.Name == EntryName)
            ?? throw new UserErrorException($"{paths.Display(paths.UnitTestsConfig)} has no [{EntryName}] entry: add one (file = vmexit, smp = 2)");
        var image = paths.KernelImage(entry.File);
        if (!File.Exists(image))
            throw new UserErrorException($"{paths.Display(image)} not found: run `make kernels`");
        var errata = ErrataParser.ParseFile(paths.ErrataConfig, paths.Display(paths.ErrataConfig));
        var qemuPath = QemuBinary.LocateOrThrow(p.GetValue(global.Qemu));
        var files = HostProbe.ProbeFiles("/");
        if (!files.Kvm.Available)
            throw new UserErrorException($"KVM is unusable here ({files.Kvm.Detail}): `runner vmexit` counts VM exits, which only KVM has");
        var caps = await HostProbe.ProbeAsync("/", qemuPath, bootGuest: true, ChildProcesses.InterruptToken);
        if (caps.Guest.CpuModel is null)
            throw new UserErrorException($"no KVM guest boots here: {caps.Guest.CpuModelDetail}");

        var console = ConsoleFactory.Create();
        var settings = new RunSettings
        {
            Paths = paths,
            Caps = caps,
            QemuPath = qemuPath,
            ForcedAccel = AccelMode.Kvm,
            Errata = errata,
            KvmStats = true,
        };
        var hostInfo = IpiHostInfo.From(caps);
        var kernel = new IpiKernel(paths.Display(image), IpiHostInfo.Sha256(image), EntryName);
        VmexitReport Report(VmexitBench.Outcome? o) => new()
        {
            RunnerVersion = RunnerVersion.Text,
            Started = started,
            WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            CommandLine = Environment.GetCommandLineArgs().Skip(1).ToList(),
            Host = hostInfo,
            Kernel = kernel,
            Settings = new VmexitSettings
            {
                Cases = plan.Cases,
                Runs = plan.Runs,
                Batches = plan.Batches,
                OpsPerBatch = plan.OpsPerBatch,
                Parallel = plan.Parallel,
                Cpus = entry.Smp,
                Machine = entry.Machine,
                ExtraParams = [.. BenchmarkMachine.Args, .. entry.ExtraParams],
                CyclesFromEmulator = caps.Nested.CyclesFromEmulator,
            },
            Columns = o?.Columns ?? [],
        };
        foreach (var line in VmexitConsoleReport.HeaderLines(Report(null)))
            console.WriteLine(line);

        var bench = new VmexitBench
        {
            BootOnce = (column, logName, args, cancel) => TestExecutor.RunAsync(
                entry with { Append = args, Accel = AccelMode.Kvm, ExtraParams = [.. BenchmarkMachine.Args, .. entry.ExtraParams] }, settings, null, cancel, logName),
            ProbeHost = () => HostProbe.ProbeFiles("/") with { Qemu = caps.Qemu, Guest = caps.Guest },
        };
        var outcome = await StepProgress.RunAsync(console, VmexitProgress.Steps(plan.Columns, plan.Runs), progress =>
        {
            bench.Progress = new VmexitProgress(progress, plan.Columns, plan.Runs);
            return bench.RunAsync(plan, ChildProcesses.InterruptToken);
        });
        var report = Report(outcome);
        VmexitConsoleReport.WriteResults(console, report);
        if (json is not null)
        {
            await JsonFiles.WriteAsync(json, report);
            console.WriteLine($"json: {Path.GetFullPath(json)}");
        }
        if (plot is not null)
            console.WriteLine($"plot: {PlotFile.Save(VmexitPlot.Build(report).Plot, plot)}");
        console.WriteLine($"wall time: {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        if (outcome.Interrupted)
        {
            Console.Error.WriteLine("runner: interrupted; QEMU processes were stopped");
            return ExitCodes.Interrupted;
        }
        var unknown = UnknownCases(plan, report);
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"runner: unknown case(s) {string.Join(", ", unknown)}: the kernel has {string.Join(", ", KnownCases(report))}");
            return ExitCodes.UsageError;
        }
        bool anyFailed = report.Columns.Any(c => c.Unavailable is null && (c.Runs.Count == 0 || c.Runs.Any(r => r.Outcome is not ("PASS" or "XFAIL"))));
        return anyFailed ? ExitCodes.TestsFailed : ExitCodes.Success;
    }

    static IReadOnlyList<string> KnownCases(VmexitReport r) =>
        r.Columns.SelectMany(c => c.Runs).SelectMany(run => run.CasesStarted).Distinct().ToList();

    /// <summary>Asked-for cases no boot started: the kernel has no such case (it fails its bench.only_known check too).</summary>
    public static IReadOnlyList<string> UnknownCases(VmexitPlan plan, VmexitReport r)
    {
        var known = KnownCases(r);
        if (known.Count == 0) return [];
        return plan.Cases.Where(c => !known.Contains(c)).ToList();
    }
}
