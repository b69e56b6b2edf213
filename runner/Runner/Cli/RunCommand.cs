using System.CommandLine;
using System.Globalization;
using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Qemu;
using Runner.Reporting;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner run`: boot the selected test kernels and judge them.</summary>
public static class RunCommand
{
    public static Command Create(GlobalOptions global)
    {
        var names = new Argument<string[]>("names") { Description = "Tests to run (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var group = new Option<string?>("--group", "-g") { Description = "Run only the tests in this group" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Tests to run at once", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show guest output live and every check" };
        var tap = new Option<bool>("--tap") { Description = "Print TAP version 13 on stdout instead of the human report" };
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML to this file" };
        var accel = new Option<string?>("--accel") { Description = "Force an accelerator: kvm or tcg (default: per entry, KVM when usable)" };
        accel.AcceptOnlyFromAmong("kvm", "tcg", "any");
        var hard = new Option<double?>("--hard-timeout") { Description = "Wall-clock cap per test in seconds (default: 10 x timeout, at least 60)" };
        var kvmStats = new Option<bool>("--kvm-stats") { Description = "Read each VM's KVM counters (QMP query-stats) at the guest's `#kt end` and show them per test" };
        var json = new Option<string?>("--json") { Description = "Also write every run (verdict, metrics, argv, KVM counters) as JSON to this file" };
        jobs.Whole(1, MaxJobs);
        hard.Seconds(MaxHardSeconds);

        var command = new Command("run", "Run test kernels under QEMU and judge them") { names, group, jobs, verbose, tap, junit, accel, hard, kvmStats, json };
        command.SetAction(p => RunAsync(global, p, new RunRequest(
            p.GetValue(names) ?? [], p.GetValue(group), p.GetValue(jobs), p.GetValue(verbose), p.GetValue(tap),
            p.GetValue(junit), p.GetValue(accel), p.GetValue(hard), p.GetValue(kvmStats), p.GetValue(json))));
        return command;
    }

    /// <summary>More QEMUs at once than this is never what anyone meant.</summary>
    public const int MaxJobs = 256;
    /// <summary>A day: a cap beyond that is a typo.</summary>
    public const double MaxHardSeconds = 86_400;

    sealed record RunRequest(string[] Names, string? Group, int Jobs, bool Verbose, bool Tap, string? JUnit, string? Accel, double? HardSeconds,
        bool KvmStats, string? Json);

    static async Task<int> RunAsync(GlobalOptions global, ParseResult p, RunRequest req)
    {
        ChildProcesses.InstallHandlers();
        var paths = global.Paths(p);
        var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
        var errata = ErrataParser.ParseFile(paths.ErrataConfig, paths.Display(paths.ErrataConfig), entries);
        var selected = TestSelector.Select(entries, req.Names, req.Group);

        // Everything that would make the whole run meaningless is checked before the first boot.
        var missing = selected.Select(e => paths.KernelImage(e.File)).Distinct().FirstOrDefault(f => !File.Exists(f));
        if (missing is not null)
            throw new UserErrorException($"{paths.Display(missing)} not found: run `make`");
        var qemuPath = QemuBinary.LocateOrThrow(p.GetValue(global.Qemu));
        var junitPath = req.JUnit is null ? null : OutputPaths.CheckFile("--junit", req.JUnit);
        var jsonPath = req.Json is null ? null : OutputPaths.CheckFile("--json", req.Json);
        OutputPaths.CheckFolder("the logs folder", paths.LogsDir, "fix its permissions or free space, or give --build-dir");
        var runLogs = RunFolder.Create(paths.LogsDir, DateTimeOffset.UtcNow);
        AccelMode? forced = req.Accel is null ? null : AccelModeText.TryParse(req.Accel, out var m) ? m : null;

        var human = ConsoleFactory.Create(req.Tap ? Console.Error : null);
        var files = HostProbe.ProbeFiles("/");
        if (forced == AccelMode.Kvm && !files.Kvm.Available)
            throw new UserErrorException($"--accel kvm: KVM is unusable here ({files.Kvm.Detail}): use --accel tcg or drop --accel");
        bool anyKvm = selected.Any(e => AccelSelector.Choose(e.Accel, forced, files.Kvm).Accel == AccelKind.Kvm);
        var caps = await HostCapsProbe.ProbeAsync("/", qemuPath, bootGuest: anyKvm, ChildProcesses.InterruptToken);

        var reporter = new ConsoleReporter(human, req.Verbose, showWhere: caps.Nested.IsL1);
        var hostLine = HostLine(caps, anyKvm);
        reporter.Note(hostLine);
        if (req.Jobs > Environment.ProcessorCount)
            reporter.Note($"warning: -j {req.Jobs} runs more VMs than this host has CPUs ({Environment.ProcessorCount}): they share them, so timing checks see the host's load and may fail from it alone");
        var settings = new RunSettings
        {
            Paths = paths,
            LogsDir = runLogs,
            Caps = caps,
            QemuPath = qemuPath,
            ForcedAccel = forced,
            Errata = errata,
            HardTimeout = req.HardSeconds is { } h ? TimeSpan.FromSeconds(h) : null,
            KvmStats = req.KvmStats,
        };

        Action<TestEntry, OutputLine>? live = req.Verbose
            ? (entry, line) => reporter.Live(req.Jobs > 1 ? entry.Name : null, line)
            : null;
        var results = await RunWithProgressAsync(human, selected, settings, req, reporter, live);

        if (req.KvmStats)
            KvmCountersTable.Write(human, results);
        var summary = RunSummary.Of(results);
        reporter.Summary(summary);
        if (req.Tap)
            Console.Out.Write(TapWriter.Render(results));

        // An interrupted run still writes what it has, marked partial, and says so at the top level.
        bool interrupted = ChildProcesses.InterruptToken.IsCancellationRequested;
        var partial = interrupted
            ? $"interrupted by {ChildProcesses.InterruptReason}: {results.Count(r => r.Verdict.Reason.StartsWith("not run", StringComparison.Ordinal))} of {results.Count} test(s) never started and the one(s) in flight are not judged"
            : null;
        // Each output is written on its own: one that fails (a full disk) costs only itself.
        bool outputFailed = false;
        if (results.FirstOrDefault(r => r.LogError is not null) is { } noLog)
        {
            Console.Error.WriteLine($"runner: logs could not be written ({OutputPaths.Why(new IOException(noLog.LogError))}): {results.Count(r => r.LogError is not null)} test(s) have no log; the verdicts above stand");
            outputFailed = true;
        }
        if (junitPath is not null)
            outputFailed |= !await TryWriteAsync("--junit", req.JUnit!, () => File.WriteAllTextAsync(junitPath, JUnitWriter.Render(results, partial)));
        if (jsonPath is not null)
            outputFailed |= !await TryWriteAsync("--json", req.Json!, () => JsonFiles.WriteAsync(jsonPath, RunJsonWriter.Build(results, hostLine, partial)));

        if (interrupted)
        {
            Console.Error.WriteLine($"runner: {partial}; QEMU processes were stopped" + ((junitPath ?? jsonPath) is not null ? "; the results so far are written, marked partial" : ""));
            return ChildProcesses.InterruptExitCode;
        }
        if (outputFailed)
            return ExitCodes.OutputFailed;
        return results.Any(r => r.IsFailure) ? ExitCodes.TestsFailed : ExitCodes.Success;
    }

    /// <summary>Writes one output file; a failure is one line naming the option, the file and why.</summary>
    static async Task<bool> TryWriteAsync(string option, string path, Func<Task> write)
    {
        try
        {
            await write();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"runner: {option} {path}: could not be written ({OutputPaths.Why(e)}); the other results are kept");
            return false;
        }
    }

    static async Task<IReadOnlyList<TestRunResult>> RunWithProgressAsync(
        IAnsiConsole human, IReadOnlyList<TestEntry> selected, RunSettings settings, RunRequest req,
        ConsoleReporter reporter, Action<TestEntry, OutputLine>? live)
    {
        // A progress bar only helps a person watching a terminal; with -v the guest lines are the progress.
        if (!human.Profile.Capabilities.Interactive || req.Verbose)
            return await SuiteRunner.RunAsync(selected, settings, req.Jobs, reporter.Result, live, ChildProcesses.InterruptToken);

        IReadOnlyList<TestRunResult> results = [];
        await human.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var progress = new SuiteProgress(selected);
                var task = ctx.AddTask(Markup.Escape(progress.Description), maxValue: selected.Count);
                results = await SuiteRunner.RunAsync(selected, settings, req.Jobs,
                    r => { reporter.Result(r); progress.Finished(r); task.Increment(1); task.Description = Markup.Escape(progress.Description); },
                    live, ChildProcesses.InterruptToken,
                    e => { progress.Started(e); task.Description = Markup.Escape(progress.Description); });
            });
        return results;
    }

    static string HostLine(HostCaps caps, bool anyKvm)
    {
        var qemu = caps.Qemu?.Version?.ToString() ?? "unknown version";
        if (!caps.Kvm.Available)
            return $"host: KVM unusable ({caps.Kvm.Detail}); tests that allow it run under TCG; QEMU {qemu}";
        if (!anyKvm)
            return $"host: KVM backend {caps.Backend}, not used by this selection; QEMU {qemu}";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"host: KVM usable, {caps.Where(kvm: true)}; -cpu {caps.KvmCpuModel} ({caps.Guest.CpuModelDetail}); SSE in guest: {caps.Guest.SseReport}; QEMU {qemu}");
        return caps.Nested.IsL1 ? $"{line}; {caps.Nested.FiguresCaveat}; {caps.Nested.ScaleDetail}" : line;
    }
}
