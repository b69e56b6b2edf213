using System.Globalization;
using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>What every fleet table starts and ends with: a column per result, the host facts first, each result's file and command last.</summary>
public static class FleetFacts
{
    public static List<TextRow> Rows(IReadOnlyList<FleetResult> results) =>
    [
        Row("host", results, s => s.Host),
        Row("where", results, s => s.Where),
        Row("QEMU", results, s => s.Qemu),
        Row("guest -cpu", results, s => s.HostFacts.KvmCpuModel),
        Row("setting", results, s => s.Setting),
        Row("started", results, s => s.Started.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)),
    ];

    public static TextTable Table(IReadOnlyList<FleetResult> results, IEnumerable<TextRow> figures) =>
        new(["", .. results.Select(s => s.Tag)], [.. Rows(results), .. figures],
            results.Select(s => $"{s.Tag}: {s.Path}; command: {s.Command}").ToList());

    static TextRow Row(string label, IReadOnlyList<FleetResult> results, Func<FleetResult, string> value) =>
        new(label, results.Select(value).ToList());
}
