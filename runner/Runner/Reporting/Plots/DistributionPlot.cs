using ScottPlot;

namespace Runner.Reporting.Plots;

/// <summary>One sample to draw: its values (one per run) under a column label, in a series (e.g. "C#", "asm").</summary>
public sealed record PlotSample(string Column, string Series, IReadOnlyList<double> Values);

/// <summary>What a plot holds, for tests and for the line that names the file.</summary>
public sealed record PlotContent(Plot Plot, IReadOnlyList<string> Series, int Points);

/// <summary>
/// Per-run points with a box (quartiles, median, whiskers at min and max) per sample, samples
/// of one column side by side. Points are spread sideways a little so equal values stay visible.
/// </summary>
public static class DistributionPlot
{
    static readonly Color[] Palette = [Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen, Colors.Crimson, Colors.SlateGray, Colors.Purple];

    /// <param name="log">Draw the values on a log axis (for samples that span decades); the label says so. Values must then be positive.</param>
    public static PlotContent Build(string title, string yLabel, IReadOnlyList<PlotSample> samples, bool log = false)
    {
        PlotFonts.Ensure();
        var plot = new Plot();
        plot.Title(title, size: 13);
        plot.YLabel(log ? yLabel + ", log scale" : yLabel);
        if (log)
        {
            // Quantiles commute with the monotone log, so the boxes are those of the values.
            samples = samples.Select(s => s with { Values = s.Values.Where(v => v > 0).Select(Math.Log10).ToList() }).ToList();
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("#,##0.##", System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        var columns = samples.Select(s => s.Column).Distinct().ToList();
        var seriesNames = samples.Select(s => s.Series).Distinct().ToList();
        double slot = 1.0 / (seriesNames.Count + 1);
        var series = new List<string>();
        int points = 0;

        foreach (var s in samples.Where(s => s.Values.Count > 0))
        {
            int c = columns.IndexOf(s.Column), k = seriesNames.IndexOf(s.Series);
            double x = c + (k + 1) * slot - 0.5;
            var color = Palette[k % Palette.Length];

            var sorted = s.Values.Order().ToArray();
            var box = new Box
            {
                Position = x,
                Width = slot * 0.7,
                BoxMin = Quantile(sorted, 0.25),
                BoxMax = Quantile(sorted, 0.75),
                BoxMiddle = Quantile(sorted, 0.5),
                WhiskerMin = sorted[0],
                WhiskerMax = sorted[^1],
            };
            // The adder paints each box in the next palette colour: the series colour goes on after.
            var boxes = plot.Add.Box(box);
            boxes.FillColor = color.WithAlpha(0.25);
            boxes.LineColor = color;
            series.Add($"{s.Column} {s.Series} box");

            var xs = s.Values.Select((_, i) => x + Spread(i, s.Values.Count) * slot * 0.25).ToArray();
            var dots = plot.Add.ScatterPoints(xs, s.Values.ToArray(), color);
            dots.MarkerSize = 7;
            series.Add($"{s.Column} {s.Series} points");
            points += s.Values.Count;
        }

        // One legend entry per series kind, not per box.
        for (int k = 0; k < seriesNames.Count; k++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = seriesNames[k], FillColor = Palette[k % Palette.Length], LineColor = Palette[k % Palette.Length] });
        plot.ShowLegend(Alignment.UpperRight);

        plot.Axes.Bottom.SetTicks(columns.Select((_, i) => (double)i).ToArray(), columns.ToArray());
        if (columns.Count > 8)
        {
            // Many columns: slanted names that end under their boxes, with room below for the longest.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 40 + 6.5f * columns.Max(c => c.Length);
        }
        plot.Axes.SetLimitsX(-0.6, columns.Count - 0.4);
        plot.Axes.Margins(bottom: 0.1, top: 0.1);
        return new PlotContent(plot, series, points);
    }

    /// <summary>Linear interpolation between order statistics (the common "type 7" quantile).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 1) return sorted[0];
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    static double Spread(int i, int n) => n == 1 ? 0 : (2.0 * i / (n - 1)) - 1;
}
