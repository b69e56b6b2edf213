using System.Globalization;
using Runner.Protocol;

namespace Runner.Bench;

/// <summary>
/// The wake-up table: one row per source and target state, one column per host setting with
/// the latency in cycles (median over boots, with the lowest sample and the p99 in brackets;
/// labelled TCG when an emulator made them), and the timer overhead as the last row. A
/// setting the host cannot give is a column of "n/a" with its reason as a footnote; a row
/// without figures (a skip, a failed check, TSC not synchronised) says why in a footnote.
/// </summary>
public static class WakeupTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const string TimerOverheadRow = "timer overhead (LFENCE-fenced RDTSC pair)";

    public static TextTable Build(WakeupReport report)
    {
        var footnotes = new List<string>();
        int Note(string text)
        {
            int i = footnotes.IndexOf(text);
            if (i < 0) { footnotes.Add(text); i = footnotes.Count - 1; }
            return i + 1;
        }
        string cycles = report.Settings.CyclesFromEmulator ? "TCG cycles" : "cycles";
        var headers = new List<string> { "source, target" };
        foreach (var c in report.Columns)
            headers.Add(c.Unavailable is { } why
                ? $"{c.Label}\nn/a [{Note($"{c.Label}: unavailable: {why}")}]"
                : $"{c.Label}\n{cycles}\nmedian (min-p99)");

        var order = new List<(string Source, string State, string Label)>();
        foreach (var c in report.Columns)
            foreach (var r in c.Rows)
                if (!order.Any(o => o.Source == r.Source && o.State == r.State)) order.Add((r.Source, r.State, r.Label));

        var rows = new List<TextRow>();
        foreach (var (source, state, label) in order)
        {
            var cells = new List<string>();
            foreach (var c in report.Columns)
            {
                if (c.Unavailable is not null) { cells.Add("n/a"); continue; }
                var r = c.Rows.FirstOrDefault(x => x.Source == source && x.State == state);
                if (r is null) { cells.Add("not run"); continue; }
                if (r.NotMeasured is { } why)
                {
                    var text = r.Why switch
                    {
                        "tsc" => "TSC not synchronised",
                        "skip" => "skip",
                        "contradicted" => "withheld",
                        _ => "failed",
                    };
                    cells.Add($"{text} [{Note($"{label}, {c.Label}: {why}")}]");
                    continue;
                }
                var cell = $"{Num(r.Median)} ({Num(r.Min)}-{Num(r.P99)})";
                if (r.Why.Length > 0) cell += $" [{Note($"{label}, {c.Label}: {r.Why}")}]";
                cells.Add(cell);
            }
            rows.Add(new TextRow(label, cells));
        }
        var timerCells = report.Columns.Select(c => c.Unavailable is not null ? "n/a"
            : c.TimerOverheadMedian is { } m ? $"{Num(m)} (min {Num(c.TimerOverheadMin)})" : "n/a").ToList();
        rows.Add(new TextRow(TimerOverheadRow, timerCells));
        return new TextTable(headers, rows, footnotes);
    }

    /// <summary>Lines under the table: how each column was checked, the TSC check, what the figures mean.</summary>
    public static IReadOnlyList<string> FooterLines(WakeupReport report)
    {
        var lines = new List<string>();
        foreach (var c in report.Columns.Where(c => c.Unavailable is null))
        {
            int passed = c.Runs.Count(r => r.Outcome.PassedOrKnown());
            lines.Add($"{c.Label}: {c.Runs.Count} boot(s), {passed} passed" +
                      (c.VerifiedState is { Length: > 0 } v ? $"; host state: {v}" : "") +
                      (c.InVm is { Length: > 0 } vm ? $"; in the VM: {vm}" : ""));
            lines.Add($"  TSC: {TscLine(c.Runs)}");
            foreach (var run in c.Runs.Where(r => !r.Outcome.PassedOrKnown()))
                lines.Add($"  boot {run.Index}: {run.Outcome.Label()}: {run.Reason}" + (run.LogPath is null ? "" : $" (log: {run.LogPath})"));
        }
        var s = report.Settings;
        lines.Add($"latency: IPI and MSI: CPU 1's TSC first thing in its handler (lean entry) minus CPU 0's TSC right before the ICR or edu write; " +
                  $"timer: CPU 1's handler TSC minus the deadline it armed {s.GapMicroseconds} us ahead; halted: CPU 1 ran STI;HLT and CPU 0 waited " +
                  $"{s.GapMicroseconds} us after it said so; running: CPU 1 spun with IF=1. {s.Samples} samples per row and boot; " +
                  "min is the lowest sample of all boots, median and p99 the median over boots of each boot's");
        lines.AddRange(report.Notes);
        return lines;
    }

    /// <summary>The TSC check over a column's boots, in one line.</summary>
    public static string TscLine(IReadOnlyList<WakeupRun> runs)
    {
        var ran = runs.Where(r => r.Tsc.Synchronised is not null).ToList();
        if (ran.Count == 0) return "the cross-CPU check did not run in any boot: no IPI or MSI figure";
        var inv = runs.Select(r => r.Tsc.Invariant).OfType<bool>().Distinct().ToList();
        string invariant = inv.Count switch
        {
            0 => "invariant-TSC bit unknown",
            1 when inv[0] => "CPUID.80000007H:EDX.InvariantTSC[8] set in the guest",
            1 => "CPUID.80000007H:EDX.InvariantTSC[8] clear in the guest (the VM does not promise a constant rate; QEMU offers it with -cpu ...,+invtsc)",
            _ => "invariant-TSC bit differs between boots",
        };
        int synced = ran.Count(r => r.Tsc.Synchronised == true);
        long rt = ran.Select(r => r.Tsc.RoundTripMin ?? long.MaxValue).Min();
        var bounds = string.Join(", ", ran.Select(r => $"[{r.Tsc.OffsetLow}, {r.Tsc.OffsetHigh}]"));
        return $"{invariant}; cross-CPU ping-pong: CPU 1 minus CPU 0 within {bounds} cycles per boot (shortest round trip {rt}), " +
               (synced == ran.Count ? $"synchronised in all {ran.Count} boot(s)"
                                    : $"NOT synchronised in {ran.Count - synced} of {ran.Count} boot(s): their IPI and MSI figures are left out");
    }

    static string Num(double? v) => v is not { } x ? "n/a" : x >= 100 ? x.ToString("#,##0", Inv) : x.ToString("0.##", Inv);
}
