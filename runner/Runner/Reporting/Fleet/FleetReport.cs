using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>One kind of result in the fleet report: its name (ipi, vmexit, ...), heading, table, the reasons behind its unavailable cells, and its plot.</summary>
public sealed record FleetKind(string Name, string Heading, TextTable Table, IReadOnlyList<string> Reasons, Plots.PlotContent? Plot);

/// <summary>The fleet report's parts, kind by kind, in the order people read them: IPI, vmexit, PV-EOI, wake-up.</summary>
public static class FleetReport
{
    /// <param name="plotCommand">The command line for the plots' titles; null draws no plot.</param>
    public static IReadOnlyList<FleetKind> Kinds(FleetInputs inputs, string? plotCommand)
    {
        var kinds = new List<FleetKind>();
        if (inputs.Ipi.Count > 0)
            kinds.Add(new FleetKind("ipi", $"IPI round trips (runner ipi) on {inputs.Ipi.Count} result(s)", FleetTable.Build(inputs.Ipi),
                FleetTable.Unavailable(inputs.Ipi).ToList(), plotCommand is null ? null : FleetPlot.Build(inputs.Ipi, plotCommand)));
        if (inputs.Vmexit.Count > 0)
            kinds.Add(new FleetKind("vmexit", $"VM exit costs (runner vmexit) on {inputs.Vmexit.Count} result(s)", VmexitFleetTable.Build(inputs.Vmexit),
                VmexitFleetTable.Unavailable(inputs.Vmexit).ToList(), plotCommand is null ? null : FleetPlot.Build(inputs.Vmexit, plotCommand)));
        if (inputs.Pveoi.Count > 0)
            kinds.Add(new FleetKind("pveoi", $"KVM counters with PV-EOI off -> on (runner pveoi) on {inputs.Pveoi.Count} result(s)", PveoiFleetTable.Build(inputs.Pveoi),
                PveoiFleetTable.Unavailable(inputs.Pveoi).ToList(), null));
        if (inputs.Wakeup.Count > 0)
            kinds.Add(new FleetKind("wakeup", $"Wake-up latency (runner wakeup) on {inputs.Wakeup.Count} result(s)", WakeupFleetTable.Build(inputs.Wakeup),
                WakeupFleetTable.Unavailable(inputs.Wakeup).ToList(), plotCommand is null ? null : FleetPlot.Build(inputs.Wakeup, plotCommand)));
        return kinds;
    }

    /// <summary>FILE.png → FILE-vmexit.png: where a second kind's plot goes.</summary>
    public static string SiblingPath(string path, string kind) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}-{kind}{Path.GetExtension(path)}");
}
