using System.Globalization;
using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>
/// One table over many hosts: a column per result (host and setting), the host facts first,
/// then per IPI column the C# and asm round trip (mean ± 95% CI half-width, cycles), VM exits
/// per IPI, and %Reduction per APIC mode. A column a host could not run says why in short.
/// </summary>
public static class FleetTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static TextTable Build(IReadOnlyList<FleetSource> sources)
    {
        var rows = new List<TextRow>();
        var keys = sources.SelectMany(s => s.Report.Columns.Select(c => (c.Key, c.Label))).Distinct().ToList();
        bool first = true;
        foreach (var (key, label) in keys)
        {
            rows.Add(new TextRow($"{label}: C# cycles", sources.Select(s => Cell(s, key, st => Mean(st.CSharp))).ToList(), Rule: first));
            rows.Add(new TextRow($"{label}: asm cycles", sources.Select(s => Cell(s, key, st => st.Asm is { } a ? Mean(a) : "—")).ToList()));
            rows.Add(new TextRow($"{label}: exits/IPI", sources.Select(s => Cell(s, key, st => st.ExitsPerIpi is { } e ? e.Mean.ToString("0.00", Inv) : "—")).ToList()));
            first = false;
        }

        var modes = sources.SelectMany(s => s.Report.Reductions.Select(r => r.Apic)).Distinct().ToList();
        foreach (var mode in modes)
            rows.Add(new TextRow($"%Reduction {mode}", sources.Select(s =>
                s.Report.Reductions.FirstOrDefault(r => r.Apic == mode) is { } r
                    ? r.Percent is { } p ? p.ToString("0.00", Inv) + (r.Significant == true ? "" : " (n.s.)") : "—"
                    : "not run").ToList(), Rule: mode == modes[0]));
        return FleetFacts.Table(sources, rows);
    }

    /// <summary>Every result's columns a host could not run, with the reason.</summary>
    public static IEnumerable<string> Unavailable(IReadOnlyList<FleetSource> sources) =>
        sources.SelectMany(s => s.Report.Columns.Where(c => c.Unavailable is not null).Select(c => $"{s.Tag} {c.Label}: unavailable: {c.Unavailable}"));

    static string Cell(FleetSource s, string key, Func<IpiColumnStats, string> value)
    {
        var column = s.Report.Columns.FirstOrDefault(c => c.Key == key);
        if (column is null) return "not run";
        if (column.Unavailable is not null || column.Stats is null) return "unavailable";
        return value(column.Stats);
    }

    static string Mean(IpiSummary s) =>
        double.IsNaN(s.Ci95HalfWidth) ? s.Mean.ToString("N0", Inv) : $"{s.Mean.ToString("N0", Inv)} ± {s.Ci95HalfWidth.ToString("N0", Inv)}";
}
