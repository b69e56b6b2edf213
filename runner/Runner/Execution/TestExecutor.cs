using System.Diagnostics;
using Runner.Config;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>Runs one test entry: decide accelerator and requirements, boot QEMU, judge, log.</summary>
public static class TestExecutor
{
    public static async Task<TestRunResult> RunAsync(
        TestEntry entry, RunSettings settings, Action<TestEntry, OutputLine>? onLine = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var accel = AccelSelector.Choose(entry.Accel, settings.ForcedAccel, settings.Caps.Kvm);
        if (accel.Accel is not { } kind)
            return Skipped(entry, accel, accel.SkipReason!, settings);

        if (RequirementCheck.FirstUnmet(entry.Requires, settings.Caps, kind) is { } unmet)
            return Skipped(entry, accel, unmet, settings);

        var kernel = settings.Paths.KernelImage(entry.File);
        if (!File.Exists(kernel))
            throw new UserErrorException($"{settings.Paths.Display(kernel)} not found: run `make`");

        // The QMP socket lives in a private temp dir: unix socket paths are short and must not collide between -j runs.
        var tmp = ScratchDirs.Create("runner-");
        try
        {
            var spec = QemuCommandBuilder.ForTest(entry, kind, settings.QemuPath, kernel,
                Path.Combine(tmp, "qmp.sock"), settings.Caps.KvmCpuModel);
            var argv = QemuCommandBuilder.Build(spec);
            var process = await ProcessRunner.RunAsync(
                argv, ProcessLimits.ForIdle(entry.Timeout, settings.HardTimeout),
                onLine is null ? null : line => onLine(entry, line), cancel);

            var evidence = new RunEvidence
            {
                Stdout = process.Stdout,
                Stderr = process.Stderr,
                ExitStatus = process.ExitStatus,
                Termination = process.Termination,
                TerminationDetail = process.TerminationDetail,
                ExpectedCpus = entry.Smp,
            };
            var facts = new ConditionFacts(settings.Caps.Backend, kind.ToText(), settings.Caps.Cpu.Vendor, settings.Caps.Qemu?.Version);
            var verdict = VerdictJudge.Judge(evidence,
                check => settings.Errata.FirstOrDefault(e => e.Matches(entry.Name, check, facts))?.Reason,
                reason => settings.Errata.FirstOrDefault(e => e.MatchesRunFailure(entry.Name, reason, facts))?.Reason);

            var result = new TestRunResult(entry, accel, verdict, clock.Elapsed) { Argv = argv, Output = process.Lines };
            var log = RunLogWriter.Write(settings.Paths.LogsDir, result, process);
            return result with { LogPath = log };
        }
        finally
        {
            ScratchDirs.Delete(tmp);
        }
    }

    static TestRunResult Skipped(TestEntry entry, AccelDecision accel, string reason, RunSettings settings)
    {
        var result = new TestRunResult(entry, accel, new Verdict(Outcome.Skip, reason), TimeSpan.Zero);
        return result with { LogPath = RunLogWriter.Write(settings.Paths.LogsDir, result, null) };
    }
}
