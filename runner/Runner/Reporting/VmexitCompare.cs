using System.Globalization;
using Runner.Bench;
using Runner.Reporting;
using Runner.Stats;

namespace Runner.Reporting;

/// <summary>
/// `runner compare A.json B.json` for two `runner vmexit --json` files: per host setting and
/// case present in both, the cycles per operation (median over boots) of each side, the
/// change, Welch's t-test on the boots' medians, and the exits per operation of each side.
/// </summary>
public static class VmexitCompare
{
    public sealed record Row(string Column, string Case, double? CyclesA, double? CyclesB, double? ChangePercent, WelchResult? Welch,
        double? ExitsA, double? ExitsB, string? Missing);

    public sealed record Result(IReadOnlyList<Row> Rows, IReadOnlyList<string> Notes);

    public const string Title = "cycles per operation (median over boots of each boot's median batch); change = (B - A) / A; exits per operation less the handshake baseline:";

    /// <exception cref="UserErrorException">unreadable or not a vmexit report</exception>
    public static VmexitReport Load(string path) => BenchReportFile.Load<VmexitReport>(path, VmexitReport.CurrentSchema, "runner vmexit --json");

    public static Result Compare(VmexitReport a, VmexitReport b, string nameA = "A", string nameB = "B")
    {
        var notes = new List<string>();
        if (a.Host.CpuModel != b.Host.CpuModel || a.Host.KvmBackend != b.Host.KvmBackend || a.Host.Where != b.Host.Where)
            notes.Add($"hosts differ: {nameA} {a.Host.Where} {a.Host.CpuModel}, {nameB} {b.Host.Where} {b.Host.CpuModel}");
        if (a.Kernel.Sha256 != b.Kernel.Sha256)
            notes.Add($"kernel images differ ({nameA} sha256 {a.Kernel.Sha256[..Math.Min(12, a.Kernel.Sha256.Length)]}, {nameB} {b.Kernel.Sha256[..Math.Min(12, b.Kernel.Sha256.Length)]})");
        if (a.Settings.OpsPerBatch != b.Settings.OpsPerBatch || a.Settings.Batches != b.Settings.Batches)
            notes.Add($"batches differ ({nameA} {a.Settings.Batches}x{a.Settings.OpsPerBatch}, {nameB} {b.Settings.Batches}x{b.Settings.OpsPerBatch} operations)");
        if (a.Settings.Parallel != b.Settings.Parallel)
            notes.Add($"parallel differs ({nameA} {a.Settings.Parallel}, {nameB} {b.Settings.Parallel}): parallel cases ran on different CPU counts");
        if (a.Settings.CyclesFromEmulator != b.Settings.CyclesFromEmulator)
            notes.Add("one side's cycles come from TCG's emulation: their change is not a hardware difference");

        var rows = new List<Row>();
        var keys = a.Columns.Select(c => c.Key).Concat(b.Columns.Select(c => c.Key)).Distinct().ToList();
        foreach (var key in keys)
        {
            var ca = a.Columns.FirstOrDefault(c => c.Key == key);
            var cb = b.Columns.FirstOrDefault(c => c.Key == key);
            var label = (ca ?? cb)!.Label;
            if (ca is null || cb is null || ca.Unavailable is not null || cb.Unavailable is not null)
            {
                var why = ca is null ? $"not in {nameA}" : cb is null ? $"not in {nameB}"
                    : ca.Unavailable is not null ? $"unavailable in {nameA}" : $"unavailable in {nameB}";
                rows.Add(new Row(label, "(all)", null, null, null, null, null, null, why));
                continue;
            }
            var names = ca.Cases.Select(s => s.Name).Concat(cb.Cases.Select(s => s.Name)).Distinct();
            foreach (var name in names)
            {
                var sa = ca.Cases.FirstOrDefault(s => s.Name == name);
                var sb = cb.Cases.FirstOrDefault(s => s.Name == name);
                string? missing = sa is null ? $"not in {nameA}" : sb is null ? $"not in {nameB}"
                    : sa.NotMeasured is not null ? $"{nameA}: {sa.State.Text()}" : sb.NotMeasured is not null ? $"{nameB}: {sb.State.Text()}" : null;
                if (missing is not null)
                {
                    rows.Add(new Row(label, name, sa?.CyclesMedian, sb?.CyclesMedian, null, null, sa?.ExitsPerOp, sb?.ExitsPerOp, missing));
                    continue;
                }
                WelchResult? welch = sa!.CyclesMedianRuns.Count > 0 && sb!.CyclesMedianRuns.Count > 0
                    ? Welch.Test(Summary.Of(sa.CyclesMedianRuns), Summary.Of(sb.CyclesMedianRuns)) : null;
                rows.Add(new Row(label, name, sa.CyclesMedian, sb!.CyclesMedian, Change.Percent(sa.CyclesMedian!.Value, sb.CyclesMedian!.Value),
                    welch, sa.ExitsPerOp, sb.ExitsPerOp, null));
            }
        }
        if (rows.All(r => r.Missing is not null))
            throw new UserErrorException("no case has figures in both files: nothing to compare");
        return new Result(rows, notes);
    }

    public static TextTable Table(Result result, string nameA = "A", string nameB = "B")
    {
        var inv = CultureInfo.InvariantCulture;
        string Num(double? v) => v is { } x ? x.ToString(x >= 100 ? "#,##0" : "0.##", inv) : "n/a";
        string Ex(double? v) => v is { } x ? x.ToString("0.00", inv) : "n/a";
        var headers = new[] { "case", "setting", $"cycles/op {nameA}", $"cycles/op {nameB}", "change", "Welch 95%", $"exits/op {nameA}", $"exits/op {nameB}" };
        var rows = result.Rows.Select(r =>
        {
            string welch = r.Missing ?? (r.Welch is null ? "n/a" : r.Welch.Testable
                ? (r.Welch.Significant ? "significant" : "not significant") + $" (t={r.Welch.T.ToString("0.0", inv)})"
                : $"n/a: {r.Welch.NotTestable}");
            return new TextRow(r.Case, [r.Column, Num(r.CyclesA), Num(r.CyclesB), r.ChangePercent is { } c ? Change.Format(c) : "n/a", welch, Ex(r.ExitsA), Ex(r.ExitsB)]);
        }).ToList();
        return new TextTable(headers, rows, []);
    }
}
