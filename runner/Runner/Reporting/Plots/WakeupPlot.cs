using System.Globalization;
using Runner.Bench;
using Runner.Stats;
using ScottPlot;

namespace Runner.Reporting.Plots;

/// <summary>
/// `runner wakeup --plot`: the wake-up latency distributions as CDFs, one colour per source (IPI,
/// timer, MSI), solid for a running target and dashed for a halted one, per host setting. The
/// guest reports quantiles of each boot's samples (min, deciles, p99), not the samples: each
/// curve's point at q is the median over boots of each boot's q-quantile (the table's rule for
/// the median), and its start the lowest sample of all boots. Latencies span decades, so the
/// cycles axis is logarithmic.
/// </summary>
public static class WakeupPlot
{
    /// <summary>The quantiles the guest reports, as (metric suffix, fraction of samples at or below).</summary>
    public static readonly IReadOnlyList<(string Suffix, double Fraction)> Quantiles =
    [
        ("min", 0), ("p10", 0.1), ("p20", 0.2), ("p30", 0.3), ("p40", 0.4), ("median", 0.5),
        ("p60", 0.6), ("p70", 0.7), ("p80", 0.8), ("p90", 0.9), ("p99", 0.99),
    ];

    static readonly IReadOnlyDictionary<string, Color> SourceColor = new Dictionary<string, Color>
    {
        [WakeupAnalysis.Ipi] = Colors.SteelBlue,
        [WakeupAnalysis.Timer] = Colors.DarkOrange,
        [WakeupAnalysis.Msi] = Colors.SeaGreen,
    };

    /// <summary>One curve: a source and state of one host setting, its (cycles, fraction) points.</summary>
    public sealed record Curve(string Column, string Source, string State, IReadOnlyList<(double Cycles, double Fraction)> Points);

    public static PlotContent Build(WakeupReport report)
    {
        PlotFonts.Ensure();
        var plot = new Plot();
        plot.Title(Title(report), size: 13);
        var curves = Curves(report);
        string unit = report.Settings.CyclesFromEmulator ? "TCG cycles" : "TSC cycles";
        plot.XLabel($"wake-up latency, {unit} (log scale)");
        plot.YLabel("fraction of samples at or below (median over boots of each quantile)");

        var settings = curves.Select(c => c.Column).Distinct().ToList();
        var series = new List<string>();
        int points = 0;
        foreach (var c in curves)
        {
            var color = SourceColor.TryGetValue(c.Source, out var known) ? known : Colors.Gray;
            var xs = c.Points.Select(p => Math.Log10(p.Cycles)).ToArray();
            var ys = c.Points.Select(p => p.Fraction).ToArray();
            var line = plot.Add.Scatter(xs, ys, color);
            line.LineWidth = settings.IndexOf(c.Column) == 0 ? 2 : 1.5f;
            line.LinePattern = c.State == WakeupAnalysis.Halted ? LinePattern.Dashed : LinePattern.Solid;
            line.MarkerShape = settings.IndexOf(c.Column) == 0 ? MarkerShape.FilledCircle : MarkerShape.OpenSquare;
            line.MarkerSize = 6;
            var label = $"{c.Source} {c.State}";
            line.LegendText = settings.Count > 1 ? $"{label} ({c.Column})" : label;
            series.Add($"{c.Column} {label}");
            points += c.Points.Count;
        }
        if (curves.Count > 0)
            plot.ShowLegend(Alignment.LowerRight);

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = x => Math.Pow(10, x).ToString("#,##0.##", CultureInfo.InvariantCulture),
        };
        plot.Axes.SetLimitsY(0, 1.02);
        if (curves.Count > 0)
        {
            var all = curves.SelectMany(c => c.Points).Select(p => Math.Log10(p.Cycles)).ToList();
            plot.Axes.SetLimitsX(Math.Floor(all.Min()), Math.Ceiling(all.Max() + 0.05));
        }
        return new PlotContent(plot, series, points);
    }

    /// <summary>
    /// Every measured row of every available column. A quantile is left out when no usable boot
    /// reported it (a kernel older than the deciles gives min, median and p99 only), and so is a
    /// non-positive one (a cross-CPU figure below 0 has no place on a log axis).
    /// </summary>
    public static IReadOnlyList<Curve> Curves(WakeupReport report)
    {
        var curves = new List<Curve>();
        foreach (var column in report.Columns.Where(c => c.Unavailable is null && c.Contradicted is null))
            foreach (var row in column.Rows.Where(r => r.NotMeasured is null && r.Boots > 0))
            {
                // The boots the table took the row's figures from.
                var key = $"{WakeupAnalysis.Prefix}{row.Source}.{row.State}";
                var usable = UsableRuns(column, row, key);
                var pts = new List<(double, double)>();
                foreach (var (suffix, fraction) in Quantiles)
                {
                    var values = usable.Select(r => r.Metric($"{key}.{suffix}")).OfType<long>().Select(v => (double)v).ToList();
                    if (values.Count == 0) continue;
                    double v = suffix == "min" ? values.Min() : Summary.MedianOf(values);
                    if (v > 0) pts.Add((v, fraction));
                }
                if (pts.Count > 0) curves.Add(new Curve(column.Label, row.Source, row.State, pts));
            }
        return curves;
    }

    /// <summary>WakeupAnalysis's rule for a row: the series passed, has figures, and (cross-CPU) the boot's TSCs agreed.</summary>
    static List<WakeupRun> UsableRuns(WakeupColumnResult column, WakeupRowStats row, string key) =>
        column.Runs.Where(r => !r.Failed.ContainsKey($"{row.Source}.{row.State}") && r.Metric($"{key}.median") is not null
            && (!row.CrossCpu || r.Tsc.Synchronised == true)).ToList();

    public static string Title(WakeupReport r)
    {
        var missing = r.Columns.Where(c => c.Unavailable is not null).Select(c => c.Label).ToList();
        var notMeasured = missing.Count == 0 ? "" : $" (not measured here: {string.Join(", ", missing)})";
        var s = r.Settings;
        var where = r.Host.Where.Length > 0 ? r.Host.Where : $"{r.Host.KvmBackend}, Linux {r.Host.KernelRelease}";
        var setting = string.Create(CultureInfo.InvariantCulture,
            $"{string.Join(" / ", r.Columns.Select(c => c.Label))}, {s.Runs} boots x {s.Samples} samples, gap {s.GapMicroseconds} us, {s.Cpus} vCPUs");
        var command = r.Host.Command.Length > 0 ? r.Host.Command : "runner " + string.Join(' ', r.CommandLine);
        return $"runner wakeup on {r.Host.CpuModel}, {where}, QEMU {r.Host.QemuVersion ?? "unknown"} ({r.Started:yyyy-MM-dd})\nsetting: {setting}{notMeasured}\ncommand: {command}";
    }
}
