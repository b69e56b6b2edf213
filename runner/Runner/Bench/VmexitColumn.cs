using Runner.Host;

namespace Runner.Bench;

/// <summary>
/// One host setting of the vmexit table: the host's interrupt virtualization (APICv on
/// Intel, AVIC on AMD) on or off. The check against the host is the ipi benchmark's
/// (<see cref="ColumnCheck"/>), through the equivalent xAPIC column without IPIv.
/// </summary>
public sealed record VmexitColumn(Want Apicv)
{
    public string Key => $"apicv-{Apicv.ToText()}";
    public string Label => $"APICv/AVIC {Apicv.ToText()}";

    /// <summary>The ipi benchmark's column that needs the same of the host.</summary>
    public IpiColumn AsIpiColumn => new(ApicMode.XApic, false, Apicv);

    public static IReadOnlyList<VmexitColumn> All(IEnumerable<Want> settings) => settings.Select(w => new VmexitColumn(w)).ToList();
}
