using System.Globalization;
using Runner.Protocol;

namespace Runner.Bench;

/// <summary>
/// The vmexit table: one row per case; per host setting three columns: cycles per operation
/// (median over boots, with the lowest batch and the p99 in brackets; labelled TCG when an
/// emulator made them), VM exits per operation less the handshake baseline, and the C# loop
/// over the assembly one. A setting the host cannot give is one column of "n/a" with its
/// reason as a footnote; a case without figures says why in a footnote too.
/// </summary>
public static class VmexitTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static TextTable Build(VmexitReport report)
    {
        var footnotes = new List<string>();
        int Note(string text)
        {
            int i = footnotes.IndexOf(text);
            if (i < 0) { footnotes.Add(text); i = footnotes.Count - 1; }
            return i + 1;
        }
        string cycles = report.Settings.CyclesFromEmulator ? "TCG cycles/op" : "cycles/op";
        var headers = new List<string> { "case" };
        foreach (var c in report.Columns)
        {
            if (c.Unavailable is { } why)
                headers.Add($"{c.Label}\nn/a [{Note($"{c.Label}: unavailable: {why}")}]");
            else
            {
                headers.Add($"{c.Label}\n{cycles}\nmedian (min-p99)");
                headers.Add("\nexits/op");
                headers.Add("\nC#/asm");
            }
        }
        var order = new List<string>();
        foreach (var c in report.Columns)
            foreach (var s in c.Cases)
                if (!order.Contains(s.Name)) order.Add(s.Name);

        var rows = new List<TextRow>();
        foreach (var name in order)
        {
            var cells = new List<string>();
            string label = name;
            foreach (var c in report.Columns)
            {
                if (c.Unavailable is not null) { cells.Add("n/a"); continue; }
                var s = c.Cases.FirstOrDefault(x => x.Name == name);
                if (s?.TestName is { Length: > 0 } t) label = $"{name} ({t})";
                if (s is null || s.NotMeasured is not null)
                {
                    var state = s is null ? "not run" : s.State != VmexitCaseState.Measured ? s.State.Text() : "n/a";
                    cells.Add(s is null ? state : $"{state} [{Note($"{name}: {s.NotMeasured}")}]");
                    cells.Add("");
                    cells.Add("");
                    continue;
                }
                cells.Add($"{Num(s.CyclesMedian)} ({Num(s.CyclesMin)}-{Num(s.CyclesP99)})");
                cells.Add(s.ExitsPerOp is { } e
                    ? e.ToString("0.00", Inv) + (s.ExitsUnavailable is { } partial ? $" [{Note($"{name}, {c.Label}: {partial}")}]" : "")
                    : $"n/a [{Note($"{name}, {c.Label}: exits unavailable: {s.ExitsUnavailable}")}]");
                cells.Add(s.CSharpOverAsm is { } q ? q.ToString("0.00", Inv) + "x" : "-");
            }
            rows.Add(new TextRow(label, cells));
        }
        return new TextTable(headers, rows, footnotes);
    }

    /// <summary>Lines under the table: what each column's figures rest on.</summary>
    public static IReadOnlyList<string> FooterLines(VmexitReport report)
    {
        var lines = new List<string>();
        foreach (var c in report.Columns.Where(c => c.Unavailable is null))
        {
            var measured = c.Cases.Where(s => s.NotMeasured is null).ToList();
            var baseline = measured.Select(s => s.BaselineExits).OfType<double>().ToList();
            var spread = c.Runs.SelectMany(r => new[] { r.BaselineExits, r.BaselineEndExits }).OfType<long>().ToList();
            var timer = measured.Select(s => s.TimerOverheadMedian).OfType<double>().ToList();
            int usedBoots = c.Runs.Count(r => r.Outcome.PassedOrKnown());
            lines.Add($"{c.Label}: {c.Runs.Count} boot(s), {usedBoots} passed; handshake baseline " +
                      $"{(baseline.Count == 0 ? "n/a" : Num(baseline.Max()) + " exits")} per sync pair, subtracted from every case " +
                      $"(first and last baselines of the boots: {(spread.Count == 0 ? "n/a" : $"{spread.Min()}-{spread.Max()}")} exits); " +
                      $"timer overhead {(timer.Count == 0 ? "n/a" : Num(timer.Max()))} cycles median per fenced rdtsc pair, " +
                      $"i.e. {(timer.Count == 0 ? "n/a" : (timer.Max() / Math.Max(1, report.Settings.OpsPerBatch)).ToString("0.#", Inv))} cycles per operation of a batch of {report.Settings.OpsPerBatch}" +
                      (c.VerifiedState is { Length: > 0 } v ? $"; host state: {v}" : ""));
            foreach (var run in c.Runs.Where(r => !r.Outcome.PassedOrKnown()))
                lines.Add($"  boot {run.Index}: {run.Outcome.Label()}: {run.Reason}" + (run.LogPath is null ? "" : $" (log: {run.LogPath})"));
            // A boot that passed through an erratum still gives no figures for the case it covers: say which.
            foreach (var run in c.Runs.Where(r => r.Outcome.PassedOrKnown()))
                foreach (var (name, why) in run.Failed)
                    lines.Add($"  boot {run.Index}: no {name} figures from it: {why}" + (run.LogPath is null ? "" : $" (log: {run.LogPath})"));
        }
        lines.Add("exits/op: QMP query-stats `exits` summed over vCPUs between `#kt sync bench.CASE.begin` and `.end`, less the same " +
                  "around empty batches (baseline), divided by the operations in the window; cycles: per operation of a batch of " +
                  $"{report.Settings.OpsPerBatch}, {report.Settings.Batches} batches per boot; C#/asm: the C# loop over the same operation in assembly");
        lines.AddRange(report.Notes);
        return lines;
    }

    static string Num(double? v) => v is not { } x ? "n/a" : x >= 100 ? x.ToString("#,##0", Inv) : x.ToString("0.##", Inv);
}
