using System.Globalization;
using Runner.Bench;

namespace Runner.Reporting.Plots;

/// <summary>
/// `runner ipi --plot` and `runner compare --plot`: the per-run round-trip cycles of every
/// column (C# and asm) as points and boxes, drawn from the IpiReport that --json writes, so a
/// saved report can be plotted again.
/// </summary>
public static class IpiPlot
{
    public const string YLabel = "IPI round trip, TSC cycles (per-run batch average)";

    public static PlotContent Build(IpiReport report) =>
        DistributionPlot.Build(Title(report), YLabel, Samples(report, "").ToList());

    /// <summary>Both reports' columns, A then B under each column label.</summary>
    public static PlotContent BuildCompare(IpiReport a, IpiReport b, string command)
    {
        var keys = a.Columns.Select(c => c.Key).Where(k => b.Columns.Any(c => c.Key == k)).ToList();
        var samples = new List<PlotSample>();
        foreach (var key in keys)
        {
            samples.AddRange(Samples(a, "A ", key));
            samples.AddRange(Samples(b, "B ", key));
        }
        var title = $"runner compare: A = {HostText(a)}\nB = {HostText(b)}\nsetting: {Setting(a)}\ncommand: {command}";
        return DistributionPlot.Build(title, YLabel, samples);
    }

    static IEnumerable<PlotSample> Samples(IpiReport report, string prefix, string? onlyKey = null)
    {
        foreach (var column in report.Columns.Where(c => c.HasNumbers && (onlyKey is null || c.Key == onlyKey)))
        {
            var used = column.Runs.Where(r => r.Used).ToList();
            yield return new PlotSample(column.Label, prefix + "C#", Values(used, IpiAnalysis.CyclesAvg));
            var asm = Values(used, IpiAnalysis.AsmAvg);
            if (asm.Count > 0)
                yield return new PlotSample(column.Label, prefix + "asm", asm);
        }
    }

    static List<double> Values(IEnumerable<IpiRun> runs, string metric) =>
        runs.Select(r => r.Metric(metric)).OfType<long>().Select(v => (double)v).ToList();

    public static string Title(IpiReport r)
    {
        // A column the host could not run is named, so its absence is not read as a result.
        var missing = r.Columns.Where(c => !c.HasNumbers).Select(c => c.Label).ToList();
        // On a line of its own: with the PV columns the list outgrows the setting's line.
        var notMeasured = missing.Count == 0 ? "" : $"\nnot measured here: {string.Join(", ", missing)}";
        return $"runner ipi on {HostText(r)}\nsetting: {Setting(r)}{notMeasured}\ncommand: {Command(r)}";
    }

    static string Setting(IpiReport r)
    {
        var s = r.Settings;
        return string.Create(CultureInfo.InvariantCulture,
            $"{string.Join("+", s.ApicModes)}, IPIv {string.Join("/", s.Ipiv.Select(v => v ? "on" : "off"))}, target {s.Target.Arg()}, {s.Kind.Arg()}{(s.Sends.SequenceEqual([IpiSend.Icr]) ? "" : " via " + string.Join("+", s.Sends.Select(x => x.Label())))}, {s.Runs} runs x {s.Iterations} IPIs, {s.Cpus} vCPUs");
    }

    static string HostText(IpiReport r)
    {
        var where = r.Host.Where.Length > 0 ? r.Host.Where : $"{r.Host.KvmBackend}, Linux {r.Host.KernelRelease}";
        return $"{r.Host.CpuModel}, {where}, QEMU {r.Host.QemuVersion ?? "unknown"} ({r.Started:yyyy-MM-dd})";
    }

    public static string Command(IpiReport r) =>
        r.Host.Command.Length > 0 ? r.Host.Command : "runner " + string.Join(' ', r.CommandLine);
}
