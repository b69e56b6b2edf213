using System.CommandLine;
using Runner.Config;
using Runner.Execution;
using Runner.Processes;
using Runner.Reporting;
using Runner.Workspace;

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
        var selection = SuiteSelection.Load(global.Paths(p), req.Names, req.Group, p.GetValue(global.Qemu), req.Accel);
        var outputs = new RunOutputs(
            req.JUnit is null ? null : (req.JUnit, OutputPaths.CheckFile("--junit", req.JUnit)),
            req.Json is null ? null : (req.Json, OutputPaths.CheckFile("--json", req.Json)));
        var logsDir = selection.Paths.LogsDir;
        OutputPaths.CheckFolder("the logs folder", logsDir, "fix its permissions or free space, or give --build-dir");
        var runLogs = RunFolder.Create(logsDir, DateTimeOffset.UtcNow);

        var human = ConsoleFactory.Create(req.Tap ? Console.Error : null);
        var env = await selection.ProbeHostAsync(ChildProcesses.InterruptToken);
        var reporter = new ConsoleReporter(human, req.Verbose, showWhere: env.Caps.Nested.IsL1);
        var hostLine = SuiteHostLine.Of(env.Caps, env.AnyKvm);
        reporter.Note(hostLine);
        if (req.Jobs > Environment.ProcessorCount)
            reporter.Note($"warning: -j {req.Jobs} runs more VMs than this host has CPUs ({Environment.ProcessorCount}): they share them, so timing checks see the host's load and may fail from it alone");
        var settings = env.Settings(runLogs, req.HardSeconds is { } h ? TimeSpan.FromSeconds(h) : null, req.KvmStats);

        Action<TestEntry, OutputLine>? live = req.Verbose
            ? (entry, line) => reporter.Live(req.Jobs > 1 ? entry.Name : null, line)
            : null;
        var results = await SuiteConsoleRun.RunAsync(human, selection.Selected, settings, req.Jobs, req.Verbose, reporter, live);

        if (req.KvmStats)
            KvmCountersTable.Write(human, results);
        reporter.Summary(RunSummary.Of(results));
        if (req.Tap)
            Console.Out.Write(TapWriter.Render(results));

        // An interrupted run still writes what it has, marked partial, and says so at the top level.
        bool interrupted = ChildProcesses.InterruptToken.IsCancellationRequested;
        var partial = RunOutputs.PartialReason(results, interrupted, ChildProcesses.InterruptReason);
        bool written = await outputs.WriteAsync(results, hostLine, partial);
        if (interrupted)
        {
            Console.Error.WriteLine($"runner: {partial}; QEMU processes were stopped" + (outputs.Any ? "; the results so far are written, marked partial" : ""));
            return ChildProcesses.InterruptExitCode;
        }
        if (!written)
            return ExitCodes.OutputFailed;
        return results.Any(r => r.IsFailure) ? ExitCodes.TestsFailed : ExitCodes.Success;
    }
}
