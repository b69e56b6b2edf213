using System.Collections.Concurrent;
using Runner.Config;
using Runner.Counters;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
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

    public static readonly BenchTarget Target = new(EntryName, "file = wakeup, smp = 2, extra_params = -machine pcie=on -device edu",
        "`runner wakeup` measures KVM's interrupt paths; run it on a KVM host or with --host-kernel");

    /// <summary>
    /// <paramref name="started"/> gets the report before any boot (its header lines),
    /// <paramref name="note"/> a line for people.
    /// </summary>
    /// <exception cref="UserErrorException">no entry, no kernel image, no KVM</exception>
    public static async Task<(WakeupReport Report, bool Interrupted, bool RestoreFailed)> RunAsync(WakeupRequest req, IWakeupProgress progress,
        Action<WakeupReport> started, Action<string> note)
    {
        var env = await BenchEnvironment.OpenAsync(req.Paths, req.QemuOption, Target);
        var entry = env.Entry;
        var caps = env.Caps;
        // Wake-up latency needs no exit counters, and reading them at each sync point would
        // only lengthen the handshakes.
        var settings = env.Settings with { KvmStats = false };
        var extra = new List<string>([.. BenchmarkMachine.Args, .. entry.ExtraParams]);
        var hostInfo = env.HostInfo;
        var kernel = env.Kernel;
        var notes = new List<string>();
        WakeupReport Report(WakeupBench.Outcome? o) => new()
        {
            RunnerVersion = Runner.RunnerVersion.Text,
            Started = env.Started,
            WallSeconds = env.WallSeconds,
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
            BootOnce = async (column, logName, args, cancel) => await
                TracedBoot.RunAsync(entry with { Append = args, Accel = AccelMode.Kvm, ExtraParams = extra }, settings, trace, traceWhy, logName, cancel),
            Columns = SettingColumns.OnThisHost(req.Plan.ReloadKvm, () => HostProbe.ProbeFiles("/") with { Qemu = caps.Qemu, Guest = caps.Guest }),
            Progress = progress,
        };
        bench.Columns.Note = note;
        var outcome = await bench.RunAsync(req.Plan, ChildProcesses.InterruptToken);
        notes.AddRange(outcome.Notes);
        return (Report(outcome), outcome.Interrupted, outcome.RestoreFailed);
    }
}
