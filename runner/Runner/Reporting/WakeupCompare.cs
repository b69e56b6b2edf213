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
        var notes = ColumnsCompare.HostNotes(a, b, nameA, nameB);
        if (a.Settings.GapMicroseconds != b.Settings.GapMicroseconds)
            notes.Add($"gaps differ ({nameA} {a.Settings.GapMicroseconds} us, {nameB} {b.Settings.GapMicroseconds} us): a halted target slept for different times");
        if (ColumnsCompare.EmulatorNote(a.Settings.CyclesFromEmulator, b.Settings.CyclesFromEmulator) is { } emulated)
            notes.Add(emulated);

        var rows = new List<Row>();
        foreach (var (label, ca, cb, why) in ColumnsCompare.Pairs(a.Columns, b.Columns, nameA, nameB))
        {
            if (why is not null)
            {
                rows.Add(new Row(label, "(all)", null, null, null, null, why));
                continue;
            }
            foreach (var series in WakeupAnalysis.AllSeries)
            {
                var ra = ca!.Rows.FirstOrDefault(r => r.Source == series.Source && r.State == series.State);
                var rb = cb!.Rows.FirstOrDefault(r => r.Source == series.Source && r.State == series.State);
                if (ra is null && rb is null) continue;
                string? missing = ra is null ? $"not in {nameA}" : rb is null ? $"not in {nameB}"
                    : ra.NotMeasured is not null ? $"{nameA}: {ra.Why}" : rb.NotMeasured is not null ? $"{nameB}: {rb.Why}" : null;
                if (missing is not null)
                {
                    rows.Add(new Row(label, series.Label, ra?.Median, rb?.Median, null, null, missing));
                    continue;
                }
                var welch = ColumnsCompare.Welch(ra!.MedianRuns, rb!.MedianRuns);
                rows.Add(new Row(label, series.Label, ra.Median, rb!.Median, Change.Percent(ra.Median!.Value, rb.Median!.Value), welch, null));
            }
        }
        if (rows.All(r => r.Missing is not null))
            throw new UserErrorException("no row has figures in both files: nothing to compare");
        return new Result(rows, notes);
    }

    public static TextTable Table(Result result, string nameA = "A", string nameB = "B")
    {
        string Num(double? v) => ColumnsCompare.Number(v);
        var headers = new[] { "source, target", "setting", $"cycles {nameA}", $"cycles {nameB}", "change", "Welch 95%" };
        var rows = result.Rows.Select(r =>
            new TextRow(r.Series, [r.Column, Num(r.MedianA), Num(r.MedianB), ColumnsCompare.ChangeCell(r.ChangePercent), ColumnsCompare.WelchCell(r.Missing, r.Welch)])
        ).ToList();
        return new TextTable(headers, rows, []);
    }
}
