using System.Globalization;
using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>
/// `runner wakeup --json` results of many hosts in one table: per host setting and row (source,
/// target running or halted) the wake-up latency in cycles, median over boots of each boot's
/// median, and the same of the p99. Rows without figures say why in a word.
/// </summary>
public static class WakeupFleetTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static TextTable Build(IReadOnlyList<WakeupSource> sources)
    {
        var rows = new List<TextRow>();
        var columns = sources.SelectMany(s => s.Report.Columns.Select(c => (c.Key, c.Label))).Distinct().ToList();
        foreach (var (key, label) in columns)
        {
            var series = sources.SelectMany(s => s.Report.Columns.Where(c => c.Key == key).SelectMany(c => c.Rows))
                .Select(r => (r.Source, r.State)).Distinct().ToList();
            if (series.Count == 0)
                rows.Add(new TextRow(label, sources.Select(s => Column(s, key) is null ? "not run" : "unavailable").ToList(), Rule: true));
            bool first = true;
            foreach (var (source, state) in series)
            {
                rows.Add(new TextRow($"{label}: {source} {state}, median / p99 cycles", sources.Select(s => Cell(s, key, source, state)).ToList(), Rule: first));
                first = false;
            }
        }
        return FleetFacts.Table(sources, rows);
    }

    public static IEnumerable<string> Unavailable(IReadOnlyList<WakeupSource> sources) =>
        sources.SelectMany(s => s.Report.Columns.Where(c => c.Unavailable is not null).Select(c => $"{s.Tag} {c.Label}: unavailable: {c.Unavailable}"));

    static WakeupColumnResult? Column(WakeupSource s, string key) => s.Report.Columns.FirstOrDefault(c => c.Key == key);

    static string Cell(WakeupSource s, string key, string source, string state)
    {
        var column = Column(s, key);
        if (column is null) return "not run";
        if (column.Unavailable is not null) return "unavailable";
        var row = column.Rows.FirstOrDefault(r => r.Source == source && r.State == state);
        if (row is null) return "not run";
        if (row.NotMeasured is not null || row.Median is null) return row.Why.Length > 0 ? row.Why : "not measured";
        return $"{row.Median.Value.ToString("N0", Inv)} / {(row.P99 is { } p ? p.ToString("N0", Inv) : "—")}";
    }
}
