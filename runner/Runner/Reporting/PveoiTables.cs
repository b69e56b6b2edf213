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

    /// <summary>The three tables, from the report `--json` writes, so the file and the screen cannot disagree.</summary>
    public static void WriteTables(TextWriter o, PveoiReport report)
    {
        WriteGuestTable(o, report.Sides);
        WriteTracepointTable(o, report);
        WriteQmpTable(o, report.Sides);
    }

    public static void WriteGuestTable(TextWriter o, IReadOnlyList<PveoiSideResult> sides)
    {
        o.WriteLine();
        o.WriteLine("guest (tests/irqload metrics)");
        foreach (var name in new[] { "irqload.delivered", "irqload.eoi_written", "irqload.eoi_skipped" })
            o.WriteLine(Row(name, sides.Select(s => s.GuestMetric(name)).ToList()));
    }

    public static void WriteTracepointTable(TextWriter o, PveoiReport report)
    {
        var sides = report.Sides;
        o.WriteLine();
        o.WriteLine("KVM tracepoints (perf stat), loaded interval only, less the same count over an empty region (one sync handshake)");
        foreach (var tp in report.Tracepoints)
        {
            string? why = report.TracepointsUnavailable is { } perfWhy ? "unavailable: " + perfWhy
                : report.TracepointRowUnavailable.TryGetValue(tp, out var rowWhy) ? "unavailable: " + rowWhy
                : null;
            if (why is not null) { o.WriteLine($"  {tp,-26} {why}"); continue; }
            o.WriteLine(Row(tp, sides.Select(s => s.Tracepoint(tp)).ToList()));
        }
        if (sides.Any(s => s.TracepointBaseline.Count > 0))
            o.WriteLine(Row("(handshake kvm_exit)", sides.Select(s => s.TracepointBaseline.TryGetValue("kvm:kvm_exit", out var v) ? v : (long?)null).ToList()));
        foreach (var side in sides.Where(s => s.TracepointsProblem is not null))
            o.WriteLine($"  {side.Label}: tracepoints unavailable: {side.TracepointsProblem}");
        o.WriteLine("  (a count that fell below its handshake baseline is shown as unavailable: the two waits differed more than the interval's own count)");
    }

    public static void WriteQmpTable(TextWriter o, IReadOnlyList<PveoiSideResult> sides)
    {
        o.WriteLine();
        o.WriteLine("KVM statistics (QMP query-stats, vCPU counters), loaded interval only, less one sync handshake (an empty region in the same boot)");
        var unavailable = sides.FirstOrDefault(s => s.QmpUnavailable is not null);
        if (unavailable is not null)
        {
            o.WriteLine($"  {unavailable.Label}: {unavailable.QmpUnavailable}");
            return;
        }
        var names = QmpNames(sides);
        var moved = MovedQmpNames(sides);
        foreach (var name in moved)
            o.WriteLine(Row(name, sides.Select(s => QmpShown(s, name)).ToList()));
        o.WriteLine(Row("(handshake exits)", sides.Select(s => s.QmpHandshakeExits).ToList()));
        if (moved.Count < names.Count)
            o.WriteLine($"  ({names.Count - moved.Count} more counters were 0 in both runs: {string.Join(", ", names.Except(moved))})");
    }

    public static IReadOnlyList<string> QmpNames(IReadOnlyList<PveoiSideResult> sides) =>
        sides.SelectMany(s => s.Qmp.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The QMP counters that were not 0 on some side: the rows worth printing.</summary>
    public static IReadOnlyList<string> MovedQmpNames(IReadOnlyList<PveoiSideResult> sides) =>
        QmpNames(sides).Where(n => sides.Any(s => s.QmpCounter(n) is not (null or 0))).ToList();

    /// <summary>A counter below its handshake baseline says the waits differed: no figure.</summary>
    public static long? QmpShown(PveoiSideResult s, string name) => s.QmpCounter(name) is long v && v >= 0 ? v : null;

    /// <summary>name, off, on, change; a missing figure prints as "unavailable", never 0.</summary>
    public static string Row(string name, IReadOnlyList<long?> values) => $"  {name,-26} {Change(values)}";

    /// <summary>"off -> on change" of one row.</summary>
    public static string Change(IReadOnlyList<long?> values)
    {
        var (off, on) = OffOn(values);
        return $"{Figure(off),14} -> {Figure(on),-14} {Percent(off, on)}";
    }

    public static (long? Off, long? On) OffOn(IReadOnlyList<long?> values) =>
        (values.Count > 0 ? values[0] : null, values.Count > 1 ? values[1] : null);

    /// <summary>A count, or "unavailable": never 0 for a count that was not taken.</summary>
    public static string Figure(long? v) => v is null ? "unavailable" : v.Value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The change from off to on in percent; "" when either is missing.</summary>
    public static string Percent(long? off, long? on) =>
        off is null || on is null ? "" : off == 0 ? (on == 0 ? "0" : "n/a (from 0)")
            : ((on.Value - off.Value) * 100.0 / off.Value).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " %";
}
