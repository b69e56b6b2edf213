using Runner.Bench;
using Runner.Protocol;

namespace Runner.Reporting.Fleet;

/// <summary>
/// `runner pveoi --json` results of many hosts in one table: per guest metric, tracepoint and
/// QMP counter, each host's count with PV-EOI off and on and the change, as `runner pveoi`
/// prints it. A count a host could not take says unavailable, never 0.
/// </summary>
public static class PveoiFleetTable
{
    public static TextTable Build(IReadOnlyList<PveoiSource> sources)
    {
        var rows = new List<TextRow>
        {
            new("verdict (off, on)", sources.Select(s => string.Join(", ", s.Report.Sides.Select(d => d.Outcome.Label()))).ToList(), Rule: true),
        };
        bool first = true;
        foreach (var name in new[] { "irqload.delivered", "irqload.eoi_written", "irqload.eoi_skipped" })
        {
            rows.Add(new TextRow(name, sources.Select(s => Cell(s.Report.Sides.Select(d => d.GuestMetric(name)).ToList())).ToList(), Rule: first));
            first = false;
        }
        first = true;
        foreach (var tp in sources.SelectMany(s => s.Report.Tracepoints).Distinct())
        {
            rows.Add(new TextRow(tp, sources.Select(s =>
                !s.Report.Tracepoints.Contains(tp) ? "not counted"
                : s.Report.TracepointsUnavailable is not null || s.Report.TracepointRowUnavailable.ContainsKey(tp) ? "unavailable"
                : Cell(s.Report.Sides.Select(d => d.Tracepoint(tp)).ToList())).ToList(), Rule: first));
            first = false;
        }
        first = true;
        foreach (var name in sources.SelectMany(s => PveoiTables.MovedQmpNames(s.Report.Sides)).Distinct().Order(StringComparer.Ordinal))
        {
            rows.Add(new TextRow($"QMP {name}", sources.Select(s =>
                s.Report.Sides.Any(d => d.QmpUnavailable is not null) ? "unavailable"
                : Cell(s.Report.Sides.Select(d => PveoiTables.QmpShown(d, name)).ToList())).ToList(), Rule: first));
            first = false;
        }
        return FleetFacts.Table(sources, rows);
    }

    /// <summary>Why a host's tracepoints or QMP counters are missing, per result.</summary>
    public static IEnumerable<string> Unavailable(IReadOnlyList<PveoiSource> sources)
    {
        foreach (var s in sources)
        {
            if (s.Report.TracepointsUnavailable is { } why)
                yield return $"{s.Tag} tracepoints: unavailable: {why}";
            foreach (var (tp, rowWhy) in s.Report.TracepointRowUnavailable)
                yield return $"{s.Tag} {tp}: unavailable: {rowWhy}";
            foreach (var side in s.Report.Sides)
            {
                if (side.TracepointsProblem is not null) yield return $"{s.Tag} {side.Label}: tracepoints unavailable: {side.TracepointsProblem}";
                if (side.QmpUnavailable is not null) yield return $"{s.Tag} {side.Label}: QMP counters {side.QmpUnavailable}";
            }
        }
    }

    /// <summary>"off -> on (change)", the figures of `runner pveoi`'s own rows.</summary>
    static string Cell(IReadOnlyList<long?> values)
    {
        var (off, on) = PveoiTables.OffOn(values);
        var change = PveoiTables.Percent(off, on);
        return $"{PveoiTables.Figure(off)} -> {PveoiTables.Figure(on)}{(change.Length > 0 ? $" ({change})" : "")}";
    }
}
