using System.Globalization;
using Runner.Bench;
using Runner.Reporting;
using Runner.Stats;

namespace Runner.Reporting;

/// <summary>
/// `runner compare A.json B.json`: two `runner ipi --json` files side by side, per column
/// present in both: means, change, Welch's t-test at 95%, and each side's CV. Files that are
/// not IPI reports, or measured a different experiment (target, kind, vCPUs), are refused.
/// </summary>
public static class IpiCompare
{
    public sealed record Row(string Key, string Label, Summary? A, Summary? B, double? ChangePercent, WelchResult? Welch, string? Missing);

    public sealed record Result(IReadOnlyList<Row> Rows, IReadOnlyList<string> Notes);

    /// <exception cref="UserErrorException">unreadable or not an IPI report</exception>
    public static IpiReport Load(string path) =>
        IpiReportUpgrade.Apply(BenchReportFile.Load<IpiReport>(path, IpiReport.CurrentSchema, "runner ipi --json"));

    public static Result Compare(IpiReport a, IpiReport b, string nameA = "A", string nameB = "B")
    {
        var differences = new List<string>();
        void Same<T>(string what, T x, T y)
        {
            if (!EqualityComparer<T>.Default.Equals(x, y)) differences.Add($"{what}: {nameA} {x}, {nameB} {y}");
        }
        Same("target", a.Settings.Target.Arg(), b.Settings.Target.Arg());
        Same("kind", a.Settings.Kind.Arg(), b.Settings.Kind.Arg());
        Same("vCPUs", a.Settings.Cpus, b.Settings.Cpus);
        if (differences.Count > 0)
            throw new UserErrorException($"the files measured different experiments ({string.Join("; ", differences)}): compare runs of the same --kind, --halt and --cpus");

        var notes = new List<string>();
        foreach (var (report, name) in new[] { (a, nameA), (b, nameB) })
            if (report.Partial)
                notes.Add($"WARNING: {name} is partial ({report.PartialReason ?? "interrupted"}): fewer runs than asked, so significance is doubtful");
        if (a.Settings.Iterations != b.Settings.Iterations)
            notes.Add($"round trips per batch differ ({nameA} {a.Settings.Iterations}, {nameB} {b.Settings.Iterations}): averages stay comparable, warm-up effects may not");
        if (a.Host.CpuModel != b.Host.CpuModel || a.Host.KvmBackend != b.Host.KvmBackend)
            notes.Add($"hosts differ: {nameA} {a.Host.CpuModel} / {a.Host.KvmBackend}, {nameB} {b.Host.CpuModel} / {b.Host.KvmBackend}");
        if (a.Kernel.Sha256 != b.Kernel.Sha256)
            notes.Add($"kernel images differ ({nameA} sha256 {Short(a.Kernel.Sha256)}, {nameB} {Short(b.Kernel.Sha256)})");

        var keys = a.Columns.Select(c => c.Key).Concat(b.Columns.Select(c => c.Key)).Distinct().ToList();
        var rows = new List<Row>();
        foreach (var key in keys)
        {
            var ca = a.Columns.FirstOrDefault(c => c.Key == key);
            var cb = b.Columns.FirstOrDefault(c => c.Key == key);
            var label = (ca ?? cb)!.Label;
            var sa = ca is null ? null : IpiAnalysis.SummaryOf(ca);
            var sb = cb is null ? null : IpiAnalysis.SummaryOf(cb);
            string? missing = (ca, cb) switch
            {
                (null, _) => $"not in {nameA}",
                (_, null) => $"not in {nameB}",
                _ when sa is null => ca.Unavailable is null ? $"no successful run in {nameA}" : $"unavailable in {nameA}",
                _ when sb is null => cb.Unavailable is null ? $"no successful run in {nameB}" : $"unavailable in {nameB}",
                _ => null,
            };
            // The full reason goes under the table; the cell stays short.
            if (sa is null && ca?.Unavailable is { } whyA) notes.Add($"{label} in {nameA}: unavailable: {whyA}");
            if (sb is null && cb?.Unavailable is { } whyB && whyB != ca?.Unavailable) notes.Add($"{label} in {nameB}: unavailable: {whyB}");
            rows.Add(missing is null
                ? new Row(key, label, sa, sb, Change.Percent(sa!.Mean, sb!.Mean), Welch.Test(sa, sb), null)
                : new Row(key, label, sa, sb, null, null, missing));
        }
        if (rows.All(r => r.Missing is not null))
            throw new UserErrorException("no column has results in both files: nothing to compare (" +
                                         string.Join("; ", rows.Select(r => $"{r.Label}: {r.Missing}")) + ")");
        return new Result(rows, notes);
    }

    public static TextTable Table(Result result, string nameA = "A", string nameB = "B")
    {
        var inv = CultureInfo.InvariantCulture;
        var headers = new[] { "column", $"mean {nameA}", $"mean {nameB}", "change", "Welch 95%", $"CV {nameA}", $"CV {nameB}", $"runs {nameA}/{nameB}" };
        var rows = result.Rows.Select(r =>
        {
            string Mean(Summary? s) => s is null ? "n/a" : s.Mean.ToString("#,##0.##", inv);
            string Cv(Summary? s) => s is null || double.IsNaN(s.CvPercent) ? "n/a" : s.CvPercent.ToString("0.0", inv) + " %";
            string welch = r.Missing is not null ? r.Missing
                : r.Welch!.Testable ? (r.Welch.Significant ? "significant" : "not significant") + $" (t={r.Welch.T.ToString("0.0", inv)})"
                : $"n/a: {r.Welch.NotTestable}";
            return new TextRow(r.Label, [Mean(r.A), Mean(r.B), r.ChangePercent is { } c ? Change.Format(c) : "n/a", welch, Cv(r.A), Cv(r.B),
                $"{r.A?.N.ToString(inv) ?? "-"}/{r.B?.N.ToString(inv) ?? "-"}"]);
        }).ToList();
        return new TextTable(headers, rows, []);
    }

    static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
