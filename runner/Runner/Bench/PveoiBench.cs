using Runner.Config;
using Runner.Counters;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Bench;

/// <summary>What `runner pveoi` was asked for: the interrupt load of tests/irqload.</summary>
public sealed record PveoiRequest(int Rate, int Seconds, string Source)
{
    public static readonly BenchTarget Target = new("irqload", "file = irqload", "PV-EOI is a KVM feature and its counters come from KVM");
}

/// <summary>One side of the comparison (PV-EOI off or on): its run and the counters of its loaded interval.</summary>
/// <param name="Setting">"off" or "on": the guest's pveoi= argument.</param>
/// <param name="Qmp">QMP counters of the loaded interval less one sync handshake (the empty baseline region).</param>
/// <param name="Perf">Tracepoint counts of the loaded interval less those of the baseline region.</param>
public sealed record PveoiSide(string Label, string Setting, TestRunResult Result, HandshakeBaseline Qmp, IReadOnlyDictionary<string, long?>? Perf,
    IReadOnlyDictionary<string, long?>? PerfBaseline, string? PerfProblem);

/// <summary>Progress as the two boots go.</summary>
public interface IPveoiProgress
{
    /// <param name="index">1 for the first side.</param>
    void SideStarted(string label, int index, int of);
    /// <summary>The side's verdict line.</summary>
    void SideFinished(string line);
}

/// <summary>
/// The KVM PV-EOI patch's evidence, measured here: the same steady interrupt load
/// (tests/irqload: a fixed interrupt rate for a fixed guest time; tests/pveoi checks the
/// protocol itself, MSR, skip bit, nesting and an AP's word, at no steady rate)
/// for a fixed guest time with PV-EOI off, then on, and the KVM counters around the loaded
/// interval, from tracepoints (perf) where this user may trace and from QMP query-stats always.
/// </summary>
public static class PveoiBench
{
    /// <summary>The patch's `perf stat -e 'kvm:*'` rows, then others that explain them.</summary>
    public static readonly IReadOnlyList<string> Tracepoints =
    [
        "kvm:kvm_exit", "kvm:kvm_entry", "kvm:kvm_msr", "kvm:kvm_apic", "kvm:kvm_eoi", "kvm:kvm_pv_eoi",
        "kvm:kvm_msi_set_irq", "kvm:kvm_apic_accept_irq", "kvm:kvm_inj_virq", "kvm:kvm_pio", "kvm:kvm_emulate_insn",
    ];

    /// <summary>The two boots, in the order they run: label and the guest's pveoi= argument.</summary>
    public static readonly IReadOnlyList<(string Label, string Setting)> Sides = [("PV-EOI off", "off"), ("PV-EOI on", "on")];

    /// <summary>Tracepoints that sit in VMX/SVM exit handling: on another backend their 0 would be a lie.</summary>
    public static readonly IReadOnlyList<string> HardwareExitTracepoints = ["kvm:kvm_exit", "kvm:kvm_entry", "kvm:kvm_inj_virq"];

    /// <summary>How long perf may take to attach or detach, on an ordinary host (stretched in a slow L1).</summary>
    static readonly TimeSpan PerfHandshake = TimeSpan.FromSeconds(10);

    /// <param name="perfWhy">Why tracepoints cannot be counted here (<see cref="PerfTracepoints.WhyUnavailable"/>); null when they can.</param>
    /// <param name="progress">Told when each side starts, and its verdict line as it finishes.</param>
    public static async Task<IReadOnlyList<PveoiSide>> RunAsync(BenchEnvironment env, PveoiRequest req, string? perfWhy, IPveoiProgress progress)
    {
        var events = Tracepoints.Where(t => PerfTracepoints.Exists(t)).ToList();
        var sides = new List<PveoiSide>();
        foreach (var (label, setting) in Sides)
        {
            progress.SideStarted(label, sides.Count + 1, Sides.Count);
            PerfTracepoints? perf = null;
            IReadOnlyDictionary<string, long?>? perfCounts = null, perfBaseline = null;
            string? perfProblem = null;
            var scratch = ScratchDirs.Create("runner-perf-");
            try
            {
                // Each side's own verdict, without the errata: the table shows what the guest saw.
                var settings = env.Settings with
                {
                    Errata = [],
                    // perf counts the empty baseline region the same way as the loaded one, so
                    // the sync handshake's own exits can be taken off both counter sources.
                    OnSync = async (tag, pid) =>
                    {
                        if (perfWhy is not null || pid == 0 || perfProblem is not null) return;
                        if (tag is SyncTags.BaselineBegin or SyncTags.MeasureBegin)
                        {
                            try { perf = await PerfTracepoints.StartAsync(pid, events, scratch, NestedHost.Scale(PerfHandshake)); }
                            catch (IOException e) { perfProblem = e.Message; }
                        }
                        else if (tag is SyncTags.BaselineEnd or SyncTags.MeasureEnd && perf is not null)
                        {
                            var counts = await perf.StopAsync(NestedHost.Scale(PerfHandshake));
                            perf = null;
                            if (tag == SyncTags.BaselineEnd) perfBaseline = counts; else perfCounts = counts;
                        }
                    },
                };
                var run = env.Entry with
                {
                    Smp = 1,
                    Accel = AccelMode.Kvm,
                    Append = [$"source={req.Source}", $"rate={req.Rate}", $"ms={req.Seconds * 1000}", $"pveoi={setting}"],
                    ExtraParams = [.. BenchmarkMachine.Args, .. env.Entry.ExtraParams],
                    Timeout = TimeSpan.FromSeconds(Math.Max(30, req.Seconds * 10)),
                };
                var result = await TestExecutor.RunAsync(run, settings, null, ChildProcesses.InterruptToken, $"pveoi-{setting}");
                var qmp = HandshakeBaseline.Between(result.KvmReadings, SyncTags.MeasureBegin, SyncTags.MeasureEnd);
                progress.SideFinished($"{label}: {result.Outcome.ToString().ToUpperInvariant()}{(result.Verdict.Reason.Length > 0 ? ": " + result.Verdict.Reason : "")} (log {result.LogPath})");
                if (perfProblem is null && perfWhy is null && (perfCounts is null || perfBaseline is null))
                    perfProblem = perfCounts is null ? "perf was never started: no measure-begin sync point" : "no baseline region was counted: no baseline-begin sync point";
                var perfNet = perfProblem is null && perfCounts is not null && perfBaseline is not null
                    ? perfCounts.ToDictionary(kv => kv.Key, kv => kv.Value is { } v && perfBaseline.GetValueOrDefault(kv.Key) is { } b ? v - b : (long?)null)
                    : null;
                // A count below its baseline says the waits differed, not that the interval had fewer events.
                if (perfNet is not null)
                    foreach (var key in perfNet.Where(kv => kv.Value < 0).Select(kv => kv.Key).ToList())
                        perfNet[key] = null;
                sides.Add(new PveoiSide(label, setting, result, qmp, perfNet, perfBaseline, perfProblem));
            }
            finally
            {
                ScratchDirs.Delete(scratch);
            }
        }

        return sides;
    }

    /// <summary>Why this host gives no count for a tracepoint row, whatever perf may do; null when it can.</summary>
    public static string? RowUnavailable(string tracepoint, string backend) =>
        !PerfTracepoints.Exists(tracepoint) ? $"no tracepoint {tracepoint} on this kernel"
        : HardwareExitTracepoints.Contains(tracepoint) && backend is not ("kvm_intel" or "kvm_amd")
            ? $"{tracepoint} sits in VMX/SVM exit code, which backend {backend} does not run"
            : null;

    /// <summary>The report `--json` writes and the tables print: the host, the load asked for, and both sides' counts.</summary>
    public static PveoiReport Report(BenchEnvironment env, PveoiRequest req, string? perfWhy, IReadOnlyList<PveoiSide> sides)
    {
        var rowWhy = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (perfWhy is null)
            foreach (var tp in Tracepoints)
                if (RowUnavailable(tp, env.Caps.Backend) is { } why) rowWhy[tp] = why;
        return new PveoiReport
        {
            RunnerVersion = RunnerVersion.Text,
            Started = env.Started,
            WallSeconds = env.WallSeconds,
            CommandLine = BenchEnvironment.CommandLine,
            Host = env.HostInfo,
            Kernel = env.Kernel,
            Settings = new PveoiSettings
            {
                Source = req.Source,
                Rate = req.Rate,
                Seconds = req.Seconds,
                Cpus = 1,
                Machine = env.Entry.Machine,
                ExtraParams = [.. BenchmarkMachine.Args, .. env.Entry.ExtraParams],
            },
            TracepointsUnavailable = perfWhy,
            Tracepoints = Tracepoints,
            TracepointRowUnavailable = rowWhy,
            Sides = sides.Select(s => SideResult(s, rowWhy)).ToList(),
        };
    }

    static readonly string[] GuestMetrics = ["irqload.delivered", "irqload.eoi_written", "irqload.eoi_skipped"];

    static PveoiSideResult SideResult(PveoiSide s, IReadOnlyDictionary<string, string> rowWhy)
    {
        var guest = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in GuestMetrics)
            if (s.Result.Verdict.Metrics.LastOrDefault(m => m.Name == name) is { } m) guest[name] = m.Value;
        static SortedDictionary<string, long> Known(IReadOnlyDictionary<string, long?>? counts, IReadOnlyDictionary<string, string> leaveOut)
        {
            var d = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var (k, v) in counts ?? new Dictionary<string, long?>())
                if (v is { } value && !leaveOut.ContainsKey(k)) d[k] = value;
            return d;
        }
        var qmp = s.Qmp.Net;
        return new PveoiSideResult
        {
            Label = s.Label,
            Setting = s.Setting,
            Outcome = s.Result.Outcome,
            Reason = s.Result.Verdict.Reason,
            DurationSeconds = Math.Round(s.Result.Duration.TotalSeconds, 2),
            Argv = s.Result.Argv ?? [],
            LogPath = s.Result.LogPath,
            Guest = guest,
            Tracepoints = Known(s.Perf, rowWhy),
            TracepointBaseline = Known(s.PerfBaseline, new Dictionary<string, string>()),
            TracepointsProblem = s.PerfProblem,
            Qmp = qmp.IsAvailable ? new SortedDictionary<string, long>(qmp.Vcpu.ToDictionary(), StringComparer.Ordinal) : new SortedDictionary<string, long>(),
            QmpHandshakeExits = s.Qmp.Baseline.VcpuValue("exits"),
            QmpUnavailable = qmp.IsAvailable ? null : qmp.Unavailable,
        };
    }

    public static BenchVerdict Verdict(IReadOnlyList<PveoiSide> sides) =>
        sides.All(s => s.Result.Outcome.PassedOrKnown()) ? BenchVerdict.Success : BenchVerdict.Failed;
}
