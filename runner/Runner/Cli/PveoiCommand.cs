using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Runner.Config;
using Runner.Counters;
using Runner.Execution;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Reporting;

namespace Runner.Cli;

/// <summary>
/// `runner pveoi`: the KVM PV-EOI patch's evidence, measured here: the same steady
/// interrupt load (tests/irqload) for a fixed guest time with PV-EOI off, then on, and
/// the KVM counters around the loaded second, from tracepoints (perf) where this user
/// may trace and from QMP query-stats always.
/// </summary>
public static class PveoiCommand
{
    public const string EntryName = "irqload";

    /// <summary>The patch's `perf stat -e 'kvm:*'` rows, then others that explain them.</summary>
    public static readonly IReadOnlyList<string> Tracepoints =
    [
        "kvm:kvm_exit", "kvm:kvm_entry", "kvm:kvm_msr", "kvm:kvm_apic", "kvm:kvm_eoi", "kvm:kvm_pv_eoi",
        "kvm:kvm_msi_set_irq", "kvm:kvm_apic_accept_irq", "kvm:kvm_inj_virq", "kvm:kvm_pio", "kvm:kvm_emulate_insn",
    ];

    /// <summary>Tracepoints that sit in VMX/SVM exit handling: on another backend their 0 would be a lie.</summary>
    static readonly string[] HardwareExitTracepoints = ["kvm:kvm_exit", "kvm:kvm_entry", "kvm:kvm_inj_virq"];

    public static Command Create(GlobalOptions global)
    {
        var rate = new Option<int>("--rate") { Description = "Interrupts per second", DefaultValueFactory = _ => 250 };
        var seconds = new Option<int>("--seconds") { Description = "Guest time under load", DefaultValueFactory = _ => 1 };
        var source = new Option<string>("--source") { Description = "timer, ipi or msi", DefaultValueFactory = _ => "timer" };
        source.AcceptOnlyFromAmong("timer", "ipi", "msi");
        rate.Whole(1, 100_000);
        seconds.Whole(1, 60);
        var command = new Command("pveoi", "KVM counters under a steady interrupt load with PV-EOI off and on (the KVM PV-EOI patch's table)")
        {
            rate, seconds, source,
        };
        command.SetAction(p => RunAsync(global, p, p.GetValue(rate), p.GetValue(seconds), p.GetValue(source)!));
        return command;
    }

    /// <param name="Qmp">QMP counters of the loaded interval less one sync handshake (the empty baseline region).</param>
    /// <param name="Perf">Tracepoint counts of the loaded interval less those of the baseline region.</param>
    sealed record Side(string Label, TestRunResult Result, HandshakeBaseline Qmp, IReadOnlyDictionary<string, long?>? Perf,
        IReadOnlyDictionary<string, long?>? PerfBaseline, string? PerfProblem);

    /// <summary>How long perf may take to attach or detach, on an ordinary host (stretched in a slow L1).</summary>
    static readonly TimeSpan PerfHandshake = TimeSpan.FromSeconds(10);

    static async Task<int> RunAsync(GlobalOptions global, ParseResult p, int rate, int seconds, string source)
    {
        var clock = Stopwatch.StartNew();
        ChildProcesses.InstallHandlers();
        var paths = global.Paths(p);
        var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
        var entry = entries.FirstOrDefault(e => e.Name == EntryName)
            ?? throw new UserErrorException($"{paths.Display(paths.UnitTestsConfig)} has no [{EntryName}] entry: add one (file = irqload)");
        if (!File.Exists(paths.KernelImage(entry.File)))
            throw new UserErrorException($"{paths.Display(paths.KernelImage(entry.File))} not found: run `make kernels`");
        var qemuPath = QemuBinary.LocateOrThrow(p.GetValue(global.Qemu));
        var files = HostProbe.ProbeFiles("/");
        if (!files.Kvm.Available)
            throw new UserErrorException($"KVM is unusable here ({files.Kvm.Detail}): PV-EOI is a KVM feature and its counters come from KVM");
        var caps = await HostProbe.ProbeAsync("/", qemuPath, bootGuest: true, ChildProcesses.InterruptToken);
        if (caps.Guest.CpuModel is null)
            throw new UserErrorException($"no KVM guest boots here: {caps.Guest.CpuModelDetail}");

        var perfWhy = PerfTracepoints.WhyUnavailable();
        var output = Console.Out;
        output.WriteLine($"PV-EOI off vs on: {source} interrupts at {rate}/s for {seconds} s of guest time (tests/irqload), 1 vCPU");
        output.WriteLine($"host: {caps.Where(kvm: true)}; {caps.Cpu.ModelName}; QEMU {caps.Qemu?.Version}; guest -cpu {caps.Guest.CpuModel}");
        output.WriteLine($"command: {caps.Nested.CommandLine}");
        if (caps.Nested.FiguresCaveat.Length > 0)
            output.WriteLine($"note: {caps.Nested.FiguresCaveat}; {caps.Nested.ScaleDetail}");
        output.WriteLine(perfWhy is null
            ? "counters: KVM tracepoints through `perf stat -p <qemu pid>` around the loaded interval, and QMP query-stats"
            : $"counters: QMP query-stats only; tracepoints unavailable: {perfWhy}");

        var events = Tracepoints.Where(t => PerfTracepoints.Exists(t)).ToList();
        var sides = new List<Side>();
        var boots = new[] { ("PV-EOI off", "off"), ("PV-EOI on", "on") };
        await StepProgress.RunAsync(ConsoleFactory.Create(), boots.Length, async progress =>
        {
            var lines = progress.Writer;
            foreach (var (label, setting) in boots)
            {
                progress.Status($"pveoi: {label} boot running ({seconds} s of {source} interrupts at {rate}/s); {boots.Length - sides.Count - 1} boot(s) left after it");
                PerfTracepoints? perf = null;
                IReadOnlyDictionary<string, long?>? perfCounts = null, perfBaseline = null;
                string? perfProblem = null;
                var scratch = ScratchDirs.Create("runner-perf-");
                try
                {
                    var settings = new RunSettings
                    {
                        Paths = paths,
                        Caps = caps,
                        QemuPath = qemuPath,
                        ForcedAccel = AccelMode.Kvm,
                        KvmStats = true,
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
                    var run = entry with
                    {
                        Smp = 1,
                        Accel = AccelMode.Kvm,
                        Append = [$"source={source}", $"rate={rate}", $"ms={seconds * 1000}", $"pveoi={setting}"],
                        ExtraParams = [.. BenchmarkMachine.Args, .. entry.ExtraParams],
                        Timeout = TimeSpan.FromSeconds(Math.Max(30, seconds * 10)),
                    };
                    var result = await TestExecutor.RunAsync(run, settings, null, ChildProcesses.InterruptToken, $"pveoi-{setting}");
                    var qmp = HandshakeBaseline.Between(result.KvmReadings, SyncTags.MeasureBegin, SyncTags.MeasureEnd);
                    progress.Advance();
                    lines.WriteLine($"{label}: {result.Outcome.ToString().ToUpperInvariant()}{(result.Verdict.Reason.Length > 0 ? ": " + result.Verdict.Reason : "")} (log {result.LogPath})");
                    if (perfProblem is null && perfWhy is null && (perfCounts is null || perfBaseline is null))
                        perfProblem = perfCounts is null ? "perf was never started: no measure-begin sync point" : "no baseline region was counted: no baseline-begin sync point";
                    var perfNet = perfProblem is null && perfCounts is not null && perfBaseline is not null
                        ? perfCounts.ToDictionary(kv => kv.Key, kv => kv.Value is { } v && perfBaseline.GetValueOrDefault(kv.Key) is { } b ? v - b : (long?)null)
                        : null;
                    // A count below its baseline says the waits differed, not that the interval had fewer events.
                    if (perfNet is not null)
                        foreach (var key in perfNet.Where(kv => kv.Value < 0).Select(kv => kv.Key).ToList())
                            perfNet[key] = null;
                    sides.Add(new Side(label, result, qmp, perfNet, perfBaseline, perfProblem));
                }
                finally
                {
                    ScratchDirs.Delete(scratch);
                }
            }
            return sides.Count;
        });

        WriteGuestTable(output, sides);
        WriteTracepointTable(output, sides, perfWhy, caps.Backend);
        WriteQmpTable(output, sides);
        output.WriteLine($"wall time: {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return sides.All(s => s.Result.Outcome is Outcome.Pass or Outcome.XFail) ? ExitCodes.Success : ExitCodes.TestsFailed;
    }

    static void WriteGuestTable(TextWriter o, List<Side> sides)
    {
        o.WriteLine();
        o.WriteLine("guest (tests/irqload metrics)");
        foreach (var name in new[] { "irqload.delivered", "irqload.eoi_written", "irqload.eoi_skipped" })
            o.WriteLine(Row(name, sides.Select(s => Metric(s.Result, name)).ToList()));
    }

    static void WriteTracepointTable(TextWriter o, List<Side> sides, string? perfWhy, string backend)
    {
        o.WriteLine();
        o.WriteLine("KVM tracepoints (perf stat), loaded interval only, less the same count over an empty region (one sync handshake)");
        foreach (var tp in Tracepoints)
        {
            string? why = perfWhy is not null ? "unavailable: " + perfWhy
                : !PerfTracepoints.Exists(tp) ? $"unavailable: no tracepoint {tp} on this kernel"
                : HardwareExitTracepoints.Contains(tp) && backend is not ("kvm_intel" or "kvm_amd")
                    ? $"unavailable: {tp} sits in VMX/SVM exit code, which backend {backend} does not run"
                    : null;
            if (why is not null) { o.WriteLine($"  {tp,-26} {why}"); continue; }
            o.WriteLine(Row(tp, sides.Select(s => s.Perf is null ? null : s.Perf.TryGetValue(tp, out var v) ? v : null).ToList()));
        }
        if (sides.Any(s => s.PerfBaseline is not null))
            o.WriteLine(Row("(handshake kvm_exit)", sides.Select(s => s.PerfBaseline?.GetValueOrDefault("kvm:kvm_exit")).ToList()));
        foreach (var side in sides.Where(s => s.PerfProblem is not null))
            o.WriteLine($"  {side.Label}: tracepoints unavailable: {side.PerfProblem}");
        o.WriteLine("  (a count that fell below its handshake baseline is shown as unavailable: the two waits differed more than the interval's own count)");
    }

    static void WriteQmpTable(TextWriter o, List<Side> sides)
    {
        o.WriteLine();
        o.WriteLine("KVM statistics (QMP query-stats, vCPU counters), loaded interval only, less one sync handshake (an empty region in the same boot)");
        var unavailable = sides.FirstOrDefault(s => !s.Qmp.Net.IsAvailable);
        if (unavailable is not null)
        {
            o.WriteLine($"  {unavailable.Label}: {unavailable.Qmp.Net.Unavailable}");
            return;
        }
        var names = sides.SelectMany(s => s.Qmp.Net.Vcpu.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var moved = names.Where(n => sides.Any(s => s.Qmp.Net.VcpuValue(n) is not (null or 0))).ToList();
        foreach (var name in moved)
            o.WriteLine(Row(name, sides.Select(s => s.Qmp.Net.VcpuValue(name) is long v && v >= 0 ? v : (long?)null).ToList()));
        o.WriteLine(Row("(handshake exits)", sides.Select(s => s.Qmp.Baseline.VcpuValue("exits")).ToList()));
        if (moved.Count < names.Count)
            o.WriteLine($"  ({names.Count - moved.Count} more counters were 0 in both runs: {string.Join(", ", names.Except(moved))})");
    }

    static long? Metric(TestRunResult r, string name) =>
        r.Verdict.Metrics.LastOrDefault(m => m.Name == name)?.Value;

    /// <summary>name, off, on, change; a missing figure prints as "unavailable", never 0.</summary>
    static string Row(string name, IReadOnlyList<long?> values)
    {
        string F(long? v) => v is null ? "unavailable" : v.Value.ToString("N0", CultureInfo.InvariantCulture);
        var off = values.Count > 0 ? values[0] : null;
        var on = values.Count > 1 ? values[1] : null;
        string change = off is null || on is null ? "" : off == 0 ? (on == 0 ? "0" : "n/a (from 0)")
            : ((on.Value - off.Value) * 100.0 / off.Value).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " %";
        return $"  {name,-26} {F(off),14} -> {F(on),-14} {change}";
    }
}
