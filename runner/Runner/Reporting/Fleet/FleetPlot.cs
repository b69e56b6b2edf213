using Runner.Bench;
using Runner.Reporting.Plots;

namespace Runner.Reporting.Fleet;

/// <summary>
/// The fleet report's plots, one per kind of result: per column of the table's figures, a box
/// and the points of every result (its tag and host setting a series). IPI: each run's C# round
/// trip; vmexit: each boot's cycles/op per case; wakeup: each boot's median latency per source
/// and target state. PV-EOI results are counts of one boot per side: they have no distribution.
/// </summary>
public static class FleetPlot
{
    public static PlotContent Build(IReadOnlyList<FleetSource> sources, string command)
    {
        var labels = sources.SelectMany(s => s.Report.Columns.Where(c => c.HasNumbers).Select(c => c.Label)).Distinct().ToList();
        var samples = new List<PlotSample>();
        foreach (var label in labels)
            foreach (var s in sources)
                if (s.Report.Columns.FirstOrDefault(c => c.Label == label && c.HasNumbers) is { } column)
                    samples.Add(new PlotSample(label, s.Tag, column.Runs.Where(r => r.Used)
                        .Select(r => r.Metric(IpiAnalysis.CyclesAvg)).OfType<long>().Select(v => (double)v).ToList()));
        return DistributionPlot.Build(Title("C# IPI round trips", sources, command), IpiPlot.YLabel, samples);
    }

    public static PlotContent Build(IReadOnlyList<VmexitSource> sources, string command)
    {
        var samples = new List<PlotSample>();
        foreach (var s in sources)
            foreach (var column in s.Report.Columns.Where(c => c.Unavailable is null))
                foreach (var c in column.Cases.Where(c => c.CyclesMedianRuns.Count > 0))
                    samples.Add(new PlotSample(c.Name, $"{s.Tag} {column.Label}", c.CyclesMedianRuns));
        var unit = sources.Any(s => s.Report.Settings.CyclesFromEmulator) ? "cycles/op (TCG cycles where the host is emulated)" : "TSC cycles/op";
        return DistributionPlot.Build(Title("VM exit costs", sources, command), $"{unit}, per boot (median over batches)", samples,
            log: VmexitPlot.NeedsLog(samples.SelectMany(p => p.Values).ToList()));
    }

    public static PlotContent Build(IReadOnlyList<WakeupSource> sources, string command)
    {
        var samples = new List<PlotSample>();
        foreach (var s in sources)
            foreach (var column in s.Report.Columns.Where(c => c.Unavailable is null))
                foreach (var row in column.Rows.Where(r => r.NotMeasured is null && r.MedianRuns.Count > 0))
                    samples.Add(new PlotSample($"{row.Source} {row.State}", $"{s.Tag} {column.Label}", row.MedianRuns));
        return DistributionPlot.Build(Title("Wake-up latency", sources, command), "cycles, per boot (median over samples)", samples,
            log: VmexitPlot.NeedsLog(samples.SelectMany(p => p.Values).ToList()));
    }

    static string Title(string what, IReadOnlyList<FleetResult> sources, string command)
    {
        var hosts = string.Join("\n", sources.Select(s => $"{s.Tag} = {s.Host}, {s.Where}, QEMU {s.Qemu}; {s.Setting}"));
        return $"runner report: {what} per host\n{hosts}\ncommand: {command}";
    }
}
