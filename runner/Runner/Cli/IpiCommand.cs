using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Runner.Bench;
using Runner.Config;
using Runner.Counters;
using Runner.Execution;
using Runner.Host;
using Runner.Qemu;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>
/// `runner ipi`: the table of the KVM "IPI virtualization support for VM" patch, measured on
/// this host: IPI round-trip cycles in xAPIC and x2APIC mode, without and with IPIv, over
/// repeated boots of build/ipi.elf, with statistics and the VM exits per IPI.
/// </summary>
public static class IpiCommand
{
    public const string EntryName = "ipi";

    public sealed record Request
    {
        public IReadOnlyList<ApicMode> Modes { get; init; } = [ApicMode.XApic, ApicMode.X2Apic];
        public IReadOnlyList<bool> Ipiv { get; init; } = [false, true];
        public Want Apicv { get; init; } = Want.Any;
        public bool Halt { get; init; }
        public string Kind { get; init; } = "unicast";
        public int Runs { get; init; } = 20;
        public int Cpus { get; init; } = 2;
        public int? Iterations { get; init; }
        public int? Warmup { get; init; }
        public string? Json { get; init; }
        public string? JUnit { get; init; }
        public string? Plot { get; init; }
        public bool ReloadKvm { get; init; }
        public int Jobs { get; init; } = 1;
        /// <summary>Boot q35, whose in-kernel PIT reinjects (an AVIC inhibit): to see the in-VM check catch it.</summary>
        public bool KeepPit { get; init; }
    }

    public static Command Create(GlobalOptions global)
    {
        var xapic = new Option<bool>("--xapic") { Description = "Only xAPIC mode" };
        var x2apic = new Option<bool>("--x2apic") { Description = "Only x2APIC mode" };
        var both = new Option<bool>("--both") { Description = "xAPIC and x2APIC (default)" };
        var ipiv = new Option<bool>("--ipiv") { Description = "Only with IPIv" };
        var noIpiv = new Option<bool>("--no-ipiv") { Description = "Only without IPIv" };
        var compare = new Option<bool>("--compare-ipiv") { Description = "Without and with IPIv, and %Reduction (default)" };
        var apicv = new Option<bool>("--apicv") { Description = "Require APICv on (default: record whatever the host has)" };
        var noApicv = new Option<bool>("--no-apicv") { Description = "Require APICv off (only with --no-ipiv)" };
        var halt = new Option<bool>("--halt") { Description = "The target vCPU halts between IPIs (default: it spins)" };
        var kind = new Option<string>("--kind") { Description = "unicast, self or broadcast through the ICR, or pv: unicast through KVM's PV IPI hypercall (KVM_HC_SEND_IPI)", DefaultValueFactory = _ => "unicast" };
        kind.AcceptOnlyFromAmong("unicast", "self", "broadcast", "pv");
        var runs = new Option<int>("--runs") { Description = "Boots per column", DefaultValueFactory = _ => 20 };
        var cpus = new Option<int>("--cpus") { Description = "vCPUs per VM", DefaultValueFactory = _ => 2 };
        var iters = new Option<string>("--iters") { Description = "Round trips per timed batch, or auto (a calibration boot fits about 0.4 s of round trips per run)", DefaultValueFactory = _ => "auto" };
        var warmup = new Option<int?>("--warmup") { Description = "Untimed round trips first (default: iters/10, 5..1000)" };
        var json = new Option<string?>("--json") { Description = "Write everything needed to reproduce and compare (host, image hash, argv, raw metrics, counters, stats) to this file" };
        var junit = new Option<string?>("--junit") { Description = "Write one JUnit testcase per column (failed runs fail it; an unavailable column is skipped)" };
        var plot = new Option<string?>("--plot") { Description = "Also draw every run's round trip (points and a box per column, C# and asm) to this .png or .svg" };
        plot.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } f && !PlotFile.IsPlotPath(f)) r.AddError($"--plot {f}: the file must end in .png or .svg"); });
        var reload = new Option<bool>("--reload-kvm") { Description = "Reload kvm_intel/kvm_amd with the parameters a column needs, and restore them afterwards (root, no other VMs)" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Boots at once (more than 1 makes VMs share host CPUs and disturbs the figures)", DefaultValueFactory = _ => 1 };
        var keepPit = new Option<bool>("--keep-pit") { Description = "Diagnostic: boot q35, whose in-kernel PIT runs in reinject mode and inhibits AVIC, to see the in-VM APICv check report it" };

        runs.Whole(1, 1000);
        cpus.Whole(1, 64);
        jobs.Whole(1, RunCommand.MaxJobs);
        warmup.Whole(0, 100_000);
        iters.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v != "auto" && !(int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100_000))
                r.AddError($"--iters must be auto or 1 to 100000, not '{v}'");
        });

        var command = new Command("ipi", "Measure IPI round-trip cycles without and with IPI virtualization (the KVM IPIv patch's table) on this host")
        {
            xapic, x2apic, both, ipiv, noIpiv, compare, apicv, noApicv, halt, kind, runs, cpus, iters, warmup, json, junit, plot, reload, jobs, keepPit,
        };
        command.Validators.Add(r =>
        {
            if (Count(r.GetValue(xapic), r.GetValue(x2apic), r.GetValue(both)) > 1)
                r.AddError("give one of --xapic, --x2apic, --both");
            if (Count(r.GetValue(ipiv), r.GetValue(noIpiv), r.GetValue(compare)) > 1)
                r.AddError("give one of --ipiv, --no-ipiv, --compare-ipiv");
            if (r.GetValue(apicv) && r.GetValue(noApicv))
                r.AddError("give --apicv or --no-apicv, not both");
        });
        command.SetAction(p =>
        {
            var modes = p.GetValue(xapic) ? [ApicMode.XApic] : p.GetValue(x2apic) ? new[] { ApicMode.X2Apic } : [ApicMode.XApic, ApicMode.X2Apic];
            var ipivStates = p.GetValue(ipiv) ? [true] : p.GetValue(noIpiv) ? new[] { false } : [false, true];
            var itersText = p.GetValue(iters)!;
            var request = new Request
            {
                Modes = modes,
                Ipiv = ipivStates,
                Apicv = p.GetValue(apicv) ? Want.On : p.GetValue(noApicv) ? Want.Off : Want.Any,
                Halt = p.GetValue(halt),
                Kind = p.GetValue(kind)!,
                Runs = p.GetValue(runs),
                Cpus = p.GetValue(cpus),
                Iterations = itersText == "auto" ? null : int.Parse(itersText, CultureInfo.InvariantCulture),
                Warmup = p.GetValue(warmup),
                Json = p.GetValue(json),
                JUnit = p.GetValue(junit),
                Plot = p.GetValue(plot),
                ReloadKvm = p.GetValue(reload),
                Jobs = p.GetValue(jobs),
                KeepPit = p.GetValue(keepPit),
            };
            return RunAsync(global, p, request);
        });
        return command;
    }

    static int Count(params bool[] flags) => flags.Count(f => f);

    /// <summary>Contradictions in what was asked, before anything boots; null when consistent.</summary>
    public static string? Validate(Request r)
    {
        if (r.Apicv == Want.Off && r.Ipiv.Contains(true))
            return r.Ipiv.Contains(false)
                ? "--no-apicv with --compare-ipiv (the default) is contradictory: IPIv works only on top of APICv; add --no-ipiv to measure without APICv"
                : "--no-apicv with --ipiv is contradictory: IPIv works only on top of APICv";
        if (r.Kind != "self" && r.Cpus < 2)
            return $"--kind {r.Kind} needs a second vCPU to send to: use --cpus 2 or more (or --kind self)";
        if (r.Kind == "self" && r.Halt)
            return "--halt with --kind self: the sender is its own target and cannot halt while it sends; drop --halt";
        return null;
    }

    static async Task<int> RunAsync(GlobalOptions global, ParseResult p, Request req)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.Now;
        ChildProcesses.InstallHandlers();
        if (Validate(req) is { } bad)
            throw new UserErrorException(bad);

        var paths = global.Paths(p);
        var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
        var entry = entries.FirstOrDefault(e => e.Name == EntryName)
            ?? throw new UserErrorException($"{paths.Display(paths.UnitTestsConfig)} has no [{EntryName}] entry: add one (file = ipi, smp = 2)");
        var image = paths.KernelImage(entry.File);
        if (!File.Exists(image))
            throw new UserErrorException($"{paths.Display(image)} not found: run `make kernels`");
        var errata = ErrataParser.ParseFile(paths.ErrataConfig, paths.Display(paths.ErrataConfig), entries);
        var qemuPath = QemuBinary.LocateOrThrow(p.GetValue(global.Qemu));

        // KVM only: a TCG figure under a KVM label would be worse than no figure.
        var files = HostProbe.ProbeFiles("/");
        if (!files.Kvm.Available)
            throw new UserErrorException($"KVM is unusable here ({files.Kvm.Detail}): `runner ipi` measures under KVM only and never reports TCG figures");
        var caps = await HostProbe.ProbeAsync("/", qemuPath, bootGuest: true, ChildProcesses.InterruptToken);
        if (caps.Guest.CpuModel is null)
            throw new UserErrorException($"no KVM guest boots here: {caps.Guest.CpuModelDetail}");

        var console = ConsoleFactory.Create();
        bool live = console.Profile.Capabilities.Interactive && !IsCi();
        var settings = new RunSettings
        {
            Paths = paths,
            Caps = caps,
            QemuPath = qemuPath,
            ForcedAccel = AccelMode.Kvm,
            Errata = errata,
            KvmStats = true,
        };
        var columns = IpiColumn.All(req.Modes, req.Ipiv, req.Apicv);
        var plan = new IpiPlan
        {
            Columns = columns,
            Target = req.Kind == "self" ? "self" : req.Halt ? "halt" : "spin",
            Kind = req.Kind,
            Runs = req.Runs,
            Iterations = req.Iterations,
            Warmup = req.Warmup,
            Jobs = req.Jobs,
            ReloadKvm = req.ReloadKvm,
            Diagnostic = req.KeepPit,
        };

        IReadOnlyList<string> vmArgs = req.KeepPit ? [] : BenchmarkMachine.Args;
        var machine = req.KeepPit ? BenchmarkMachine.ReinjectingPitMachine : entry.Machine;
        var hostInfo = IpiHostInfo.From(caps);
        var kernel = new IpiKernel(paths.Display(image), IpiHostInfo.Sha256(image), EntryName);
        IpiReport Report(IpiBench.Outcome? o) => new()
        {
            RunnerVersion = RunnerVersion.Text,
            Started = started,
            WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            CommandLine = Environment.GetCommandLineArgs().Skip(1).ToList(),
            Host = hostInfo,
            Kernel = kernel,
            Settings = new IpiSettings
            {
                ApicModes = req.Modes.Select(m => m.Arg()).ToList(),
                Ipiv = req.Ipiv,
                Apicv = req.Apicv.ToText(),
                Target = plan.Target,
                Kind = plan.Kind,
                Runs = plan.Runs,
                Cpus = req.Cpus,
                Iterations = o?.Iterations ?? req.Iterations ?? 0,
                Warmup = o?.Warmup ?? req.Warmup ?? 0,
                IterationsSource = o?.IterationsSource ?? (req.Iterations is null ? "auto (calibration pending)" : "given with --iters"),
                Jobs = req.Jobs,
                ReloadKvm = req.ReloadKvm,
                Machine = machine,
                ExtraParams = [.. vmArgs, .. entry.ExtraParams],
            },
            Columns = o?.Columns ?? [],
            Calibration = o?.Calibration,
            Reductions = o is null ? [] : IpiAnalysis.Reductions(o.Columns, plan.Kind, caps.Backend),
            Notes = o?.Notes ?? [],
            Partial = o?.Interrupted == true,
            PartialReason = o?.Interrupted == true ? $"interrupted by {ChildProcesses.InterruptReason}: columns hold only the runs finished before it" : null,
        };

        foreach (var line in IpiConsoleReport.HeaderLines(Report(null)))
            console.WriteLine(line);
        if (req.Jobs > 1)
            console.WriteLine($"note: -j {req.Jobs}: VMs run side by side on {Environment.ProcessorCount} host CPU(s); their figures disturb each other");

        using var trace = ApicvTrace.TryOpen(caps.KernelRelease, out var traceWhy);
        if (trace is null)
            console.WriteLine($"note: APICv/AVIC cannot be observed inside the VM: {traceWhy}; columns that need it are marked unverified");
        var observations = new ConcurrentDictionary<string, ApicvObservation>();
        var bench = new IpiBench
        {
            BootOnce = async (column, logName, args, cancel) =>
            {
                int qemuPid = 0;
                var traceProblem = trace?.EnsureEnabled();
                var boot = trace is null ? settings : settings with
                {
                    OnSync = (tag, pid) =>
                    {
                        qemuPid = pid;
                        if (tag is SyncTags.MeasureBegin or SyncTags.MeasureEnd && pid != 0) trace.Mark(pid, tag);
                        return Task.CompletedTask;
                    },
                };
                var run = entry with { Smp = req.Cpus, Append = args, Accel = AccelMode.Kvm, Machine = machine, ExtraParams = [.. vmArgs, .. entry.ExtraParams] };
                var result = await TestExecutor.RunAsync(run, boot, null, cancel, logName);
                observations[logName] = trace is null ? ApicvObservation.Unverified(traceWhy)
                    : traceProblem is not null ? ApicvObservation.Unverified(traceProblem)
                    : qemuPid == 0 ? ApicvObservation.Unverified("the guest reached no sync point, so QEMU's process was never matched in the trace")
                    : trace.Observe(qemuPid, SyncTags.MeasureBegin, SyncTags.MeasureEnd);
                return result;
            },
            ApicvOf = logName => observations.GetValueOrDefault(logName),
            ProbeHost = () => HostProbe.ProbeFiles("/") with { Qemu = caps.Qemu, Guest = caps.Guest },
            Reloader = req.ReloadKvm ? new KvmReloader("/", KvmReloader.RunCommandAsync) : null,
            ReloadRefusal = () => KvmHolders.RefuseReload(Environment.IsPrivilegedProcess, KvmHolders.Find("/", Environment.ProcessId)),
        };

        // With a reload in play, SIGTERM/SIGHUP must not end the runner before it restores the module.
        var signals = new List<PosixSignalRegistration>();
        if (req.ReloadKvm)
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
                signals.Add(PosixSignalRegistration.Create(signal, ctx => { ctx.Cancel = true; ChildProcesses.RequestInterrupt(); }));

        IpiBench.Outcome outcome;
        try
        {
            outcome = live
                ? await RunWithProgressAsync(console, bench, plan)
                : await RunPlainAsync(console, bench, plan);
        }
        finally
        {
            foreach (var s in signals) s.Dispose();
        }

        var report = Report(outcome);
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
        console.WriteLine($"wall time: {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");

        if (outcome.Interrupted)
        {
            Console.Error.WriteLine("runner: interrupted; QEMU processes were stopped" + (req.ReloadKvm ? " and KVM module parameters restored" : ""));
            return ExitCodes.Interrupted;
        }
        if (outcome.Notes.Any(n => n.StartsWith("RESTORE FAILED", StringComparison.Ordinal)))
            return ExitCodes.TestsFailed;
        bool anyFailed = outcome.Columns.Any(c => IpiColumnVerdict.Judge(c, req.KeepPit) is ("failure", _));
        return anyFailed ? ExitCodes.TestsFailed : ExitCodes.Success;
    }

    static bool IsCi() =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    static async Task<IpiBench.Outcome> RunWithProgressAsync(IAnsiConsole console, IpiBench bench, IpiPlan plan)
    {
        IpiBench.Outcome? outcome = null;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var progress = new SpectreProgress(ctx, console);
                bench.Progress = progress;
                outcome = await bench.RunAsync(plan, ChildProcesses.InterruptToken);
            });
        return outcome!;
    }

    static Task<IpiBench.Outcome> RunPlainAsync(IAnsiConsole console, IpiBench bench, IpiPlan plan)
    {
        bench.Progress = new PlainProgress(console);
        return bench.RunAsync(plan, ChildProcesses.InterruptToken);
    }

    /// <summary>One line per run: for logs and CI, where a redrawn progress bar is noise.</summary>
    sealed class PlainProgress(IAnsiConsole console) : IIpiProgress
    {
        public void ColumnStarted(IpiColumn column, int runs) => console.WriteLine($"{column.Label}: {runs} run(s)");
        public void ColumnSkipped(IpiColumn column, string reason) => console.WriteLine($"{column.Label}: unavailable (reason below)");
        public void Note(string text) => console.WriteLine(text);
        public void RunFinished(IpiColumn column, IpiRun run, int of) => console.WriteLine(RunLine(column, run, of));
    }

    sealed class SpectreProgress(ProgressContext ctx, IAnsiConsole console) : IIpiProgress
    {
        readonly Dictionary<IpiColumn, ProgressTask> _tasks = [];

        public void ColumnStarted(IpiColumn column, int runs)
        {
            lock (_tasks) _tasks[column] = ctx.AddTask(Markup.Escape(column.Label), maxValue: runs);
        }

        public void ColumnSkipped(IpiColumn column, string reason) =>
            console.MarkupLine($"[yellow]{Markup.Escape(column.Label)}[/]: unavailable (reason below)");

        public void Note(string text) => console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

        public void RunFinished(IpiColumn column, IpiRun run, int of)
        {
            lock (_tasks)
                if (_tasks.TryGetValue(column, out var t)) t.Increment(1);
            if (!run.Used)
                console.MarkupLine($"[red]{Markup.Escape(RunLine(column, run, of))}[/]");
        }
    }

    static string RunLine(IpiColumn column, IpiRun run, int of)
    {
        var head = $"  {column.Label} run {run.Index}/{of} {run.Outcome}";
        if (!run.Used) return $"{head}: excluded: {run.Excluded}";
        var cycles = run.Metric(IpiAnalysis.CyclesAvg)?.ToString("#,##0", CultureInfo.InvariantCulture) ?? "n/a";
        var exits = run.ExitsPerIpi is { } e ? e.ToString("0.00", CultureInfo.InvariantCulture) + " exits/IPI" : "exits n/a";
        return $"{head} {cycles} cycles, {exits} ({run.DurationSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s)";
    }
}
