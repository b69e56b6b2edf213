using System.Globalization;
using Runner.Execution;
using Runner.Qemu;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>
/// `runner run --kvm-stats`: the VM's KVM counters at `#kt end`, one row per test, summed
/// over vCPUs, less the final sync handshake's own exits (measured in the same boot by the
/// `handshake` sync right before `end`; its exits are a column). Only the counters that say most about interrupt virtualization are columns;
/// every counter is in --json and JUnit. A test without a reading is listed with why, never
/// as zeros.
/// </summary>
public static class KvmCountersTable
{
    public static readonly IReadOnlyList<string> Columns =
        ["exits", "insn_emulation", "io_exits", "mmio_exits", "irq_exits", "halt_exits", "halt_wakeup", "irq_injections", "signal_exits"];

    public sealed record Model(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<(string Test, string Why)> Missing);

    public const string HandshakeColumn = "handshake exits";

    public static Model Build(IReadOnlyList<TestRunResult> results)
    {
        var end = results.Select(r =>
        {
            var atEnd = KvmReading.Find(r.KvmReadings, SyncSession.EndTag) is null ? null : HandshakeBaseline.AtEnd(r.KvmReadings);
            return (r, c: atEnd is null ? null : atEnd.Net.IsAvailable ? atEnd.Net : atEnd.Raw, atEnd);
        }).ToList();
        var present = Columns.Where(name => end.Any(e => e.c?.Vcpu.ContainsKey(name) == true)).ToList();
        var header = new List<string> { "test", "vcpus" };
        header.AddRange(present);
        header.Add(HandshakeColumn);
        var rows = new List<IReadOnlyList<string>>();
        var missing = new List<(string, string)>();
        foreach (var (r, c, atEnd) in end)
        {
            if (c is null)
                missing.Add((r.Entry.Name, r.Accel.Accel is null ? "unavailable: the test did not run" : "unavailable: not read"));
            else if (!c.IsAvailable)
                missing.Add((r.Entry.Name, c.Unavailable!));
            else
            {
                var row = new List<string> { r.Entry.Name, c.VcpuCount.ToString(CultureInfo.InvariantCulture) };
                row.AddRange(present.Select(n => c.Vcpu.TryGetValue(n, out var v) ? v.ToString("N0", CultureInfo.InvariantCulture) : "-"));
                bool subtracted = atEnd!.Net.IsAvailable;
                row.Add(subtracted && atEnd.Baseline.VcpuValue("exits") is { } h ? h.ToString("N0", CultureInfo.InvariantCulture) : "not subtracted");
                rows.Add(row);
                if (!subtracted)
                    missing.Add((r.Entry.Name, $"counters include the final handshake: {atEnd.Baseline.Unavailable}"));
            }
        }
        return new Model(header, rows, missing);
    }

    public static void Write(IAnsiConsole console, IReadOnlyList<TestRunResult> results)
    {
        var model = Build(results);
        console.WriteLine("KVM counters at `#kt end` (QMP query-stats, summed over vCPUs, cumulative since the VM started, " +
                          "less one sync handshake measured in the same boot):");
        if (model.Rows.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple);
            for (int i = 0; i < model.Header.Count; i++)
            {
                var col = new TableColumn(Markup.Escape(model.Header[i]));
                if (i >= 1) col.RightAligned();
                table.AddColumn(col);
            }
            foreach (var row in model.Rows)
                table.AddRow(row.Select(Markup.Escape).ToArray());
            console.Write(table);
        }
        foreach (var (test, why) in model.Missing)
            console.WriteLine($"  {test}: {why}");
    }
}
