using System.Globalization;
using Runner.Bench;
using ScottPlot;

namespace Runner.Reporting.Plots;

/// <summary>
/// `runner vmexit --plot`: per case, a bar of cycles/op for every host setting (the left axis)
/// and a marker of exits/op (the right axis), from the VmexitReport that --json writes. Cases
/// span from tens to hundreds of thousands of cycles, so an axis whose values spread over more
/// than <see cref="LogSpread"/> is drawn on a log scale and says so.
/// </summary>
public static class VmexitPlot
{
    /// <summary>Largest over smallest positive value above which a linear axis flattens the small ones to nothing.</summary>
    public const double LogSpread = 20;
    static readonly Color[] Palette = [Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen, Colors.Crimson];

    public static PlotContent Build(VmexitReport report)
    {
        PlotFonts.Ensure();
        var plot = new Plot();
        plot.Title(Title(report), size: 13);

        var measured = report.Columns.Where(c => c.Unavailable is null && c.Cases.Any(s => s.CyclesMedian is not null)).ToList();
        var cases = new List<string>();
        foreach (var c in measured)
            foreach (var s in c.Cases.Where(s => s.CyclesMedian is not null))
                if (!cases.Contains(s.Name)) cases.Add(s.Name);

        var cycles = measured.SelectMany(c => c.Cases).Select(s => s.CyclesMedian).OfType<double>().ToList();
        var exits = measured.SelectMany(c => c.Cases).Where(s => s.CyclesMedian is not null).Select(s => s.ExitsPerOp).OfType<double>().ToList();
        bool logCycles = NeedsLog(cycles);
        bool logExits = NeedsLog(exits) && exits.All(e => e > 0);
        string cyclesUnit = report.Settings.CyclesFromEmulator ? "TCG cycles/op" : "TSC cycles/op";
        plot.YLabel($"{cyclesUnit}, median over boots (bars){(logCycles ? ", log scale" : "")}");
        plot.Axes.Right.Label.Text = $"VM exits/op less the handshake (diamonds){(logExits ? ", log scale" : "")}";

        // A log axis starts at the decade under the cheapest case, and so do its bars.
        double barBase = logCycles ? Math.Floor(Math.Log10(cycles.Where(v => v > 0).Min())) : 0;
        double slot = 1.0 / (measured.Count + 1);
        var series = new List<string>();
        int points = 0;
        for (int k = 0; k < measured.Count; k++)
        {
            var column = measured[k];
            var color = Palette[k % Palette.Length];
            var bars = new List<Bar>();
            var xs = new List<double>();
            var ys = new List<double>();
            foreach (var s in column.Cases.Where(s => s.CyclesMedian is not null))
            {
                double x = cases.IndexOf(s.Name) + (k + 1) * slot - 0.5;
                bars.Add(new Bar { Position = x, Value = Scale(s.CyclesMedian!.Value, logCycles), ValueBase = barBase, Size = slot * 0.8, FillColor = color.WithAlpha(0.6), LineColor = color });
                if (s.ExitsPerOp is { } e && (!logExits || e > 0))
                {
                    xs.Add(x);
                    ys.Add(Scale(e, logExits));
                }
            }
            plot.Add.Bars(bars);
            series.Add($"{column.Label} cycles/op");
            points += bars.Count;

            var dots = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), Colors.Black);
            dots.MarkerShape = MarkerShape.FilledDiamond;
            dots.MarkerSize = 10;
            dots.MarkerFillColor = color;
            dots.Axes.YAxis = plot.Axes.Right;
            series.Add($"{column.Label} exits/op");
            points += xs.Count;

            plot.Legend.ManualItems.Add(new LegendItem { LabelText = column.Label, FillColor = color, LineColor = color });
        }
        if (measured.Count > 0)
            plot.ShowLegend(Alignment.UpperLeft);

        if (logCycles) plot.Axes.Left.TickGenerator = LogTicks();
        if (logExits) plot.Axes.Right.TickGenerator = LogTicks();
        plot.Axes.Bottom.SetTicks(cases.Select((_, i) => (double)i).ToArray(), cases.ToArray());
        if (cases.Count > 8)
        {
            // Many cases: slanted names that end under their bars, with room below for the longest.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 40 + 6.5f * cases.Max(c => c.Length);
        }
        plot.Axes.SetLimitsX(-0.6, Math.Max(cases.Count, 1) - 0.4);
        if (logCycles)
            plot.Axes.SetLimitsY(barBase, Math.Log10(cycles.Max()) + 0.6, plot.Axes.Left);
        else
            plot.Axes.Margins(bottom: 0, top: 0.15);
        return new PlotContent(plot, series, points);
    }

    public static bool NeedsLog(IReadOnlyList<double> values)
    {
        var positive = values.Where(v => v > 0).ToList();
        return positive.Count >= 2 && positive.Max() / positive.Min() > LogSpread;
    }

    static double Scale(double v, bool log) => log ? Math.Log10(v) : v;

    static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = y => Math.Pow(10, y).ToString("#,##0.##", CultureInfo.InvariantCulture),
    };

    public static string Title(VmexitReport r)
    {
        var missing = r.Columns.Where(c => c.Unavailable is not null).Select(c => c.Label).ToList();
        var notMeasured = missing.Count == 0 ? "" : $" (not measured here: {string.Join(", ", missing)})";
        var s = r.Settings;
        var where = r.Host.Where.Length > 0 ? r.Host.Where : $"{r.Host.KvmBackend}, Linux {r.Host.KernelRelease}";
        var setting = string.Create(CultureInfo.InvariantCulture,
            $"{string.Join(" / ", r.Columns.Select(c => c.Label))}, {s.Runs} boots x {s.Batches} batches x {s.OpsPerBatch} ops, {s.Cpus} vCPUs{(s.Parallel ? ", parallel" : "")}");
        var command = r.Host.Command.Length > 0 ? r.Host.Command : "runner " + string.Join(' ', r.CommandLine);
        return $"runner vmexit on {r.Host.CpuModel}, {where}, QEMU {r.Host.QemuVersion ?? "unknown"} ({r.Started:yyyy-MM-dd})\nsetting: {setting}{notMeasured}\ncommand: {command}";
    }
}
