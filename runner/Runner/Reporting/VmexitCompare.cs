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
        var notes = ColumnsCompare.HostNotes(a, b, nameA, nameB);
        if (a.Settings.OpsPerBatch != b.Settings.OpsPerBatch || a.Settings.Batches != b.Settings.Batches)
            notes.Add($"batches differ ({nameA} {a.Settings.Batches}x{a.Settings.OpsPerBatch}, {nameB} {b.Settings.Batches}x{b.Settings.OpsPerBatch} operations)");
        if (a.Settings.Parallel != b.Settings.Parallel)
            notes.Add($"parallel differs ({nameA} {a.Settings.Parallel}, {nameB} {b.Settings.Parallel}): parallel cases ran on different CPU counts");
        if (ColumnsCompare.EmulatorNote(a.Settings.CyclesFromEmulator, b.Settings.CyclesFromEmulator) is { } emulated)
            notes.Add(emulated);

        var rows = new List<Row>();
        foreach (var (label, ca, cb, why) in ColumnsCompare.Pairs(a.Columns, b.Columns, nameA, nameB))
        {
            if (why is not null)
            {
                rows.Add(new Row(label, "(all)", null, null, null, null, null, null, why));
                continue;
            }
            var names = ca!.Cases.Select(s => s.Name).Concat(cb!.Cases.Select(s => s.Name)).Distinct();
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
                var welch = ColumnsCompare.Welch(sa!.CyclesMedianRuns, sb!.CyclesMedianRuns);
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
        string Num(double? v) => ColumnsCompare.Number(v);
        string Ex(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
        var headers = new[] { "case", "setting", $"cycles/op {nameA}", $"cycles/op {nameB}", "change", "Welch 95%", $"exits/op {nameA}", $"exits/op {nameB}" };
        var rows = result.Rows.Select(r =>
            new TextRow(r.Case, [r.Column, Num(r.CyclesA), Num(r.CyclesB), ColumnsCompare.ChangeCell(r.ChangePercent), ColumnsCompare.WelchCell(r.Missing, r.Welch), Ex(r.ExitsA), Ex(r.ExitsB)])
        ).ToList();
        return new TextTable(headers, rows, []);
    }
}
