using System.Globalization;
using Runner.Bench;
using Runner.Counters;
using Runner.Execution;
using Runner.Host;

namespace Runner.Reporting;

/// <summary>`runner pveoi`'s output: what was measured where, then the guest, tracepoint and QMP tables (off, on, change).</summary>
public static class PveoiTables
{
    public static void WriteHeader(TextWriter output, PveoiRequest req, HostCaps caps, string? perfWhy)
    {
        output.WriteLine($"PV-EOI off vs on: {req.Source} interrupts at {req.Rate}/s for {req.Seconds} s of guest time (tests/irqload), 1 vCPU");
        output.WriteLine($"host: {caps.Where(kvm: true)}; {caps.Cpu.ModelName}; QEMU {caps.Qemu?.Version}; guest -cpu {caps.Guest.CpuModel}");
        output.WriteLine($"command: {caps.Nested.CommandLine}");
        if (caps.Nested.FiguresCaveat.Length > 0)
            output.WriteLine($"note: {caps.Nested.FiguresCaveat}; {caps.Nested.ScaleDetail}");
        output.WriteLine(perfWhy is null
            ? "counters: KVM tracepoints through `perf stat -p <qemu pid>` around the loaded interval, and QMP query-stats"
            : $"counters: QMP query-stats only; tracepoints unavailable: {perfWhy}");

    }

    public static void WriteGuestTable(TextWriter o, IReadOnlyList<PveoiSide> sides)
    {
        o.WriteLine();
        o.WriteLine("guest (tests/irqload metrics)");
        foreach (var name in new[] { "irqload.delivered", "irqload.eoi_written", "irqload.eoi_skipped" })
            o.WriteLine(Row(name, sides.Select(s => Metric(s.Result, name)).ToList()));
    }

    public static void WriteTracepointTable(TextWriter o, IReadOnlyList<PveoiSide> sides, string? perfWhy, string backend)
    {
        o.WriteLine();
        o.WriteLine("KVM tracepoints (perf stat), loaded interval only, less the same count over an empty region (one sync handshake)");
        foreach (var tp in PveoiBench.Tracepoints)
        {
            string? why = perfWhy is not null ? "unavailable: " + perfWhy
                : !PerfTracepoints.Exists(tp) ? $"unavailable: no tracepoint {tp} on this kernel"
                : PveoiBench.HardwareExitTracepoints.Contains(tp) && backend is not ("kvm_intel" or "kvm_amd")
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

    public static void WriteQmpTable(TextWriter o, IReadOnlyList<PveoiSide> sides)
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
