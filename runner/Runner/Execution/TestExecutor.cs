using System.Diagnostics;
using Runner.Config;
using Runner.Host;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>Runs one test entry: decide accelerator and requirements, boot QEMU, judge, log.</summary>
public static class TestExecutor
{
    public const string TcgNoCounters = "this run uses TCG: KVM counters exist only under KVM";

    /// <param name="logName">The log's base name under build/logs (default: the entry's name).</param>
    public static async Task<TestRunResult> RunAsync(
        TestEntry entry, RunSettings settings, Action<TestEntry, OutputLine>? onLine = null, CancellationToken cancel = default,
        string? logName = null)
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
            // With --kvm-stats the guest stops at `#kt sync end` before it exits, so QMP can
            // still read its counters (the exit port follows `#kt end` by microseconds).
            var runEntry = settings.KvmStats && kind == AccelKind.Kvm
                ? entry with { Append = [.. entry.Append, SyncArgument] }
                : entry;
            // A host that runs code slower (an L1 under TCG) stretches the guest's timed waits too (kernel/lib/HostSpeed.cs).
            if (TimeScaleArgument(NestedHost.Current.TimeScale) is { } scale)
                runEntry = runEntry with { Append = [.. runEntry.Append, scale] };
            var spec = QemuCommandBuilder.ForTest(runEntry, kind, settings.QemuPath, kernel,
                Path.Combine(tmp, "qmp.sock"), settings.Caps.KvmCpuModel);
            var argv = QemuCommandBuilder.Build(spec);
            // Sync lines are always answered (a guest given sync=1 must never wait in vain);
            // counters are read only when asked for, and only KVM has them.
            var qmpSocket = spec.QmpSocket!;
            await using var sync = settings.KvmStats && kind == AccelKind.Kvm
                ? new SyncSession(running => new KvmStatsReader(qmpSocket, running), null, readAtEnd: false) { OnSync = settings.OnSync }
                : new SyncSession(null, settings.KvmStats ? TcgNoCounters : null, readAtEnd: settings.KvmStats) { OnSync = settings.OnSync };
            var process = await ProcessRunner.RunAsync(
                argv, ProcessLimits.ForIdle(entry.Timeout, settings.HardTimeout),
                onLine is null ? null : line => onLine(entry, line), cancel, sync.Interaction);

            var evidence = new RunEvidence
            {
                Stdout = process.Stdout,
                Stderr = process.Stderr,
                ExitStatus = process.ExitStatus,
                Termination = process.Termination,
                TerminationDetail = process.TerminationDetail,
                ExpectedCpus = entry.Smp,
            };
            var facts = new ConditionFacts(settings.Caps.Backend, kind.ToText(), settings.Caps.Cpu.Vendor, settings.Caps.Qemu?.Version)
            {
                Kernel = ConditionFacts.KernelVersion(settings.Caps.KernelRelease),
                L1 = settings.Caps.Nested.L1Fact,
            };
            var verdict = ExpectedOutcome.Apply(entry.Expect, VerdictJudge.Judge(evidence,
                check => settings.Errata.FirstOrDefault(e => e.Matches(entry.Name, check, facts))?.AsKnownIssue,
                reason => settings.Errata.FirstOrDefault(e => e.MatchesRunFailure(entry.Name, reason, facts))?.Reason));

            var result = new TestRunResult(entry, accel, verdict, clock.Elapsed)
            {
                Argv = argv,
                Where = settings.Caps.Where(kind == AccelKind.Kvm),
                Output = process.Lines,
                KvmReadings = settings.KvmStats ? WithEnd(sync.Readings, process) : null,
            };
            return WithLog(result, settings, process, logName);
        }
        finally
        {
            ScratchDirs.Delete(tmp);
        }
    }

    /// <summary>A run that never printed `#kt end` still gets an "end" entry saying why there is no reading.</summary>
    static IReadOnlyList<KvmReading> WithEnd(IReadOnlyList<KvmReading> readings, ProcessResult process)
    {
        if (readings.Any(r => r.Tag == SyncSession.EndTag))
            return readings;
        var why = process.Termination == Termination.None
            ? "the guest never printed `#kt end`"
            : $"the guest never printed `#kt end` ({process.TerminationDetail})";
        return [.. readings, new KvmReading(SyncSession.EndTag, KvmCounters.Missing(why))];
    }

    /// <summary>The kernel argument that makes a guest wait at its `#kt sync` points (docs/protocol.md).</summary>
    public const string SyncArgument = "sync=1";

    /// <summary>
    /// `timescale=K` (K the measured slowdown, rounded up) on a host slower than an ordinary
    /// one, for the guest's own timed waits (docs/protocol.md); none on an ordinary host.
    /// </summary>
    public static string? TimeScaleArgument(double scale) =>
        scale > 1 ? $"timescale={Math.Ceiling(Math.Min(scale, NestedHost.MaxTimeScale)).ToString(System.Globalization.CultureInfo.InvariantCulture)}" : null;

    static TestRunResult Skipped(TestEntry entry, AccelDecision accel, string reason, RunSettings settings)
    {
        var result = new TestRunResult(entry, accel, new Verdict(Outcome.Skip, reason), TimeSpan.Zero);
        return WithLog(result, settings, null, null);
    }

    /// <summary>A log that cannot be written loses the log, not the verdict: the run's other results still count.</summary>
    static TestRunResult WithLog(TestRunResult result, RunSettings settings, ProcessResult? process, string? logName)
    {
        try
        {
            return result with { LogPath = RunLogWriter.Write(settings.LogsDir ?? settings.Paths.LogsDir, result, process, logName) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result with { LogError = e.Message };
        }
    }
}
