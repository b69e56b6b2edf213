using System.Globalization;
using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>
/// `runner vmexit --json` results of many hosts in one table: per host setting (APICv/AVIC off,
/// on) and case, the cycles per operation (median over boots) and the VM exits per operation.
/// A case a host did not measure says why in a word (skip, hung, failed); a setting the host
/// cannot give says unavailable, with the reason in the notes.
/// </summary>
public static class VmexitFleetTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static TextTable Build(IReadOnlyList<VmexitSource> sources)
    {
        var rows = new List<TextRow>();
        var columns = sources.SelectMany(s => s.Report.Columns.Select(c => (c.Key, c.Label))).Distinct().ToList();
        foreach (var (key, label) in columns)
        {
            var cases = new List<string>();
            foreach (var s in sources)
                foreach (var c in s.Report.Columns.Where(c => c.Key == key).SelectMany(c => c.Cases))
                    if (!cases.Contains(c.Name)) cases.Add(c.Name);
            bool first = true;
            if (cases.Count == 0)
                rows.Add(new TextRow($"{label}", sources.Select(s => Column(s, key) is null ? "not run" : "unavailable").ToList(), Rule: true));
            foreach (var name in cases)
            {
                rows.Add(new TextRow($"{label}: {name} cycles/op", sources.Select(s => Cell(s, key, name, c => c.CyclesMedian?.ToString("N0", Inv))).ToList(), Rule: first));
                rows.Add(new TextRow($"{label}: {name} exits/op", sources.Select(s => Cell(s, key, name, c => c.ExitsPerOp?.ToString("0.00", Inv))).ToList()));
                first = false;
            }
        }
        return FleetFacts.Table(sources, rows);
    }

    public static IEnumerable<string> Unavailable(IReadOnlyList<VmexitSource> sources) =>
        sources.SelectMany(s => s.Report.Columns.Where(c => c.Unavailable is not null).Select(c => $"{s.Tag} {c.Label}: unavailable: {c.Unavailable}"));

    static VmexitColumnResult? Column(VmexitSource s, string key) => s.Report.Columns.FirstOrDefault(c => c.Key == key);

    static string Cell(VmexitSource s, string key, string name, Func<VmexitCaseStats, string?> value)
    {
        var column = Column(s, key);
        if (column is null) return "not run";
        if (column.Unavailable is not null) return "unavailable";
        var c = column.Cases.FirstOrDefault(c => c.Name == name);
        if (c is null) return "not run";
        if (c.NotMeasured is not null) return c.State != VmexitCaseState.Measured ? c.State.Text() : "not measured";
        return value(c) ?? (c.ExitsUnavailable is not null ? "unavailable" : "—");
    }
}
