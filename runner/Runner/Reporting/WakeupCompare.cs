using System.Globalization;
using Runner.Bench;
using Runner.Stats;

namespace Runner.Reporting;

/// <summary>
/// `runner compare A.json B.json` for two `runner wakeup --json` files: per host setting and
/// row (source, target state) present in both, the median latency of each side, the change,
/// and Welch's t-test on the boots' medians.
/// </summary>
public static class WakeupCompare
{
    public sealed record Row(string Column, string Series, double? MedianA, double? MedianB, double? ChangePercent, WelchResult? Welch, string? Missing);

    public sealed record Result(IReadOnlyList<Row> Rows, IReadOnlyList<string> Notes);

    public const string Title = "wake-up latency in cycles (median over boots of each boot's median sample); change = (B - A) / A:";

    /// <exception cref="UserErrorException">unreadable or not a wakeup report</exception>
    public static WakeupReport Load(string path) => BenchReportFile.Load<WakeupReport>(path, WakeupReport.CurrentSchema, "runner wakeup --json");

    /// <exception cref="UserErrorException">no row has figures in both</exception>
    public static Result Compare(WakeupReport a, WakeupReport b, string nameA = "A", string nameB = "B")
    {
        var notes = new List<string>();
        if (a.Host.CpuModel != b.Host.CpuModel || a.Host.KvmBackend != b.Host.KvmBackend || a.Host.Where != b.Host.Where)
            notes.Add($"hosts differ: {nameA} {a.Host.Where} {a.Host.CpuModel}, {nameB} {b.Host.Where} {b.Host.CpuModel}");
        if (a.Kernel.Sha256 != b.Kernel.Sha256)
            notes.Add($"kernel images differ ({nameA} sha256 {a.Kernel.Sha256[..Math.Min(12, a.Kernel.Sha256.Length)]}, {nameB} {b.Kernel.Sha256[..Math.Min(12, b.Kernel.Sha256.Length)]})");
        if (a.Settings.GapMicroseconds != b.Settings.GapMicroseconds)
            notes.Add($"gaps differ ({nameA} {a.Settings.GapMicroseconds} us, {nameB} {b.Settings.GapMicroseconds} us): a halted target slept for different times");
        if (a.Settings.CyclesFromEmulator != b.Settings.CyclesFromEmulator)
            notes.Add("one side's cycles come from TCG's emulation: their change is not a hardware difference");

        var rows = new List<Row>();
        foreach (var key in a.Columns.Select(c => c.Key).Concat(b.Columns.Select(c => c.Key)).Distinct())
        {
            var ca = a.Columns.FirstOrDefault(c => c.Key == key);
            var cb = b.Columns.FirstOrDefault(c => c.Key == key);
            var label = (ca ?? cb)!.Label;
            if (ca is null || cb is null || ca.Unavailable is not null || cb.Unavailable is not null)
            {
                var why = ca is null ? $"not in {nameA}" : cb is null ? $"not in {nameB}"
                    : ca.Unavailable is not null ? $"unavailable in {nameA}" : $"unavailable in {nameB}";
                rows.Add(new Row(label, "(all)", null, null, null, null, why));
                continue;
            }
            foreach (var series in WakeupAnalysis.AllSeries)
            {
                var ra = ca.Rows.FirstOrDefault(r => r.Source == series.Source && r.State == series.State);
                var rb = cb.Rows.FirstOrDefault(r => r.Source == series.Source && r.State == series.State);
                if (ra is null && rb is null) continue;
                string? missing = ra is null ? $"not in {nameA}" : rb is null ? $"not in {nameB}"
                    : ra.NotMeasured is not null ? $"{nameA}: {ra.Why}" : rb.NotMeasured is not null ? $"{nameB}: {rb.Why}" : null;
                if (missing is not null)
                {
                    rows.Add(new Row(label, series.Label, ra?.Median, rb?.Median, null, null, missing));
                    continue;
                }
                WelchResult? welch = ra!.MedianRuns.Count > 0 && rb!.MedianRuns.Count > 0
                    ? Welch.Test(Summary.Of(ra.MedianRuns), Summary.Of(rb.MedianRuns)) : null;
                rows.Add(new Row(label, series.Label, ra.Median, rb!.Median, Change.Percent(ra.Median!.Value, rb.Median!.Value), welch, null));
            }
        }
        if (rows.All(r => r.Missing is not null))
            throw new UserErrorException("no row has figures in both files: nothing to compare");
        return new Result(rows, notes);
    }

    public static TextTable Table(Result result, string nameA = "A", string nameB = "B")
    {
        var inv = CultureInfo.InvariantCulture;
        string Num(double? v) => v is { } x ? x.ToString(x >= 100 ? "#,##0" : "0.##", inv) : "n/a";
        var headers = new[] { "source, target", "setting", $"cycles {nameA}", $"cycles {nameB}", "change", "Welch 95%" };
        var rows = result.Rows.Select(r =>
        {
            string welch = r.Missing ?? (r.Welch is null ? "n/a" : r.Welch.Testable
                ? (r.Welch.Significant ? "significant" : "not significant") + $" (t={r.Welch.T.ToString("0.0", inv)})"
                : $"n/a: {r.Welch.NotTestable}");
            return new TextRow(r.Series, [r.Column, Num(r.MedianA), Num(r.MedianB), r.ChangePercent is { } c ? Change.Format(c) : "n/a", welch]);
        }).ToList();
        return new TextTable(headers, rows, []);
    }
}
