using System.Collections.Concurrent;
using System.Diagnostics;
using Runner.Config;
using Runner.Counters;
using Runner.Execution;
using Runner.Host;
using Runner.Qemu;
using Runner.Workspace;

namespace Runner.Bench;

/// <summary>What the command line asked `runner wakeup` for.</summary>
public sealed record WakeupRequest
{
    public required ProjectPaths Paths { get; init; }
    public string? QemuOption { get; init; }
    public required WakeupPlan Plan { get; init; }
    public IReadOnlyList<string> CommandLine { get; init; } = [];
}

/// <summary>
/// One `runner wakeup`: finds the [wakeup] entry and its kernel, probes the host, opens the
/// APICv trace, boots every column through <see cref="WakeupBench"/> with the measurement's
/// sync points marked in the trace, and gives the report. The command line layer only
/// parses options and prints.
/// </summary>
public static class WakeupSession
{
    public const string EntryName = "wakeup";

    /// <summary>
    /// <paramref name="started"/> gets the report before any boot (its header lines),
    /// <paramref name="note"/> a line for people.
    /// </summary>
    /// <exception cref="UserErrorException">no entry, no kernel image, no KVM</exception>
    public static async Task<(WakeupReport Report, bool Interrupted)> RunAsync(WakeupRequest req, IWakeupProgress progress,
        Action<WakeupReport> started, Action<string> note)
    {
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.Now;
        var paths = req.Paths;
        var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
        var entry = entries.FirstOrDefault(e => e.Name == EntryName)
            ?? throw new UserErrorException($"{paths.Display(paths.UnitTestsConfig)} has no [{EntryName}] entry: add one (file = wakeup, smp = 2, extra_params = -machine pcie=on -device edu)");
        var image = paths.KernelImage(entry.File);
        if (!File.Exists(image))
            throw new UserErrorException($"{paths.Display(image)} not found: run `make kernels`");
        var errata = ErrataParser.ParseFile(paths.ErrataConfig, paths.Display(paths.ErrataConfig));
        var qemuPath = QemuBinary.LocateOrThrow(req.QemuOption);
        var files = HostProbe.ProbeFiles("/");
        if (!files.Kvm.Available)
            throw new UserErrorException($"KVM is unusable here ({files.Kvm.Detail}): `runner wakeup` measures KVM's interrupt paths; run it on a KVM host or with --host-kernel");
        var caps = await HostProbe.ProbeAsync("/", qemuPath, bootGuest: true, ChildProcesses.InterruptToken);
        if (caps.Guest.CpuModel is null)
            throw new UserErrorException($"no KVM guest boots here: {caps.Guest.CpuModelDetail}");

        var settings = new RunSettings
        {
            Paths = paths,
            Caps = caps,
            QemuPath = qemuPath,
            ForcedAccel = AccelMode.Kvm,
            Errata = errata,
        };
        var extra = new List<string>([.. BenchmarkMachine.Args, .. entry.ExtraParams]);
        var hostInfo = IpiHostInfo.From(caps);
        var kernel = new IpiKernel(paths.Display(image), IpiHostInfo.Sha256(image), EntryName);
        var notes = new List<string>();
        WakeupReport Report(WakeupBench.Outcome? o) => new()
        {
            RunnerVersion = Runner.RunnerVersion.Text,
            Started = startedAt,
            WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            CommandLine = req.CommandLine,
            Host = hostInfo,
            Kernel = kernel,
            Settings = new WakeupSettings
            {
                Sources = req.Plan.Sources,
                Runs = req.Plan.Runs,
                Samples = req.Plan.Samples,
                GapMicroseconds = req.Plan.GapMicroseconds,
                Cpus = entry.Smp,
                Machine = entry.Machine,
                ExtraParams = extra,
                CyclesFromEmulator = caps.Nested.CyclesFromEmulator,
            },
            Columns = o?.Columns ?? [],
            Notes = notes,
        };
        started(Report(null));

        using var trace = ApicvTrace.TryOpen(caps.KernelRelease, out var traceWhy);
        if (trace is null)
        {
            var line = $"APICv/AVIC cannot be observed inside the VM: {traceWhy}; the columns say unverified";
            notes.Add(line);
            note(line);
        }
        var bench = new WakeupBench
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
                var result = await TestExecutor.RunAsync(entry with { Append = args, Accel = AccelMode.Kvm, ExtraParams = extra }, boot, null, cancel, logName);
                ApicvObservation apicv = trace is null ? ApicvObservation.Unverified(traceWhy)
                    : traceProblem is not null ? ApicvObservation.Unverified(traceProblem)
                    : qemuPid == 0 ? ApicvObservation.Unverified("the guest reached no sync point, so QEMU's process was never matched in the trace")
                    : trace.Observe(qemuPid, SyncTags.MeasureBegin, SyncTags.MeasureEnd);
                return (result, apicv);
            },
            ProbeHost = () => HostProbe.ProbeFiles("/") with { Qemu = caps.Qemu, Guest = caps.Guest },
            Progress = progress,
        };
        var outcome = await bench.RunAsync(req.Plan, ChildProcesses.InterruptToken);
        return (Report(outcome), outcome.Interrupted);
    }
}
