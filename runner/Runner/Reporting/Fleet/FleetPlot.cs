using Runner.Bench;
using Runner.Reporting.Plots;

namespace Runner.Reporting.Fleet;

/// <summary>Every result's C# round trips per IPI column, one series per result (its tag), for the fleet report.</summary>
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
        var hosts = string.Join("\n", sources.Select(s => $"{s.Tag} = {s.Host}, {s.Where}, QEMU {s.Report.Host.QemuVersion ?? "unknown"}; {s.Setting}"));
        return DistributionPlot.Build($"runner report: C# IPI round trips per host\n{hosts}\ncommand: {command}", IpiPlot.YLabel, samples);
    }
}
