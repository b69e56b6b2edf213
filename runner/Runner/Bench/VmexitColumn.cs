using Runner.Host;

namespace Runner.Bench;

/// <summary>
/// One host setting of the vmexit and wakeup tables: the host's interrupt virtualization
/// (APICv on Intel, AVIC on AMD) on or off. The check against the host is the ipi benchmark's
/// (<see cref="ColumnCheck"/>), through the equivalent xAPIC column (<see cref="AsIpiColumnOn"/>).
/// </summary>
public sealed record VmexitColumn(Want Apicv)
{
    public string Key => $"apicv-{Apicv.ToText()}";
    public string Label => $"APICv/AVIC {Apicv.ToText()}";

    /// <summary>The ipi benchmark's column that needs the same of the host: without IPIv.</summary>
    public IpiColumn AsIpiColumn => new(ApicMode.XApic, false, Apicv);

    /// <summary>
    /// The same for this host. A kvm_amd without enable_ipiv has AVIC's IPI acceleration as
    /// part of AVIC itself, so "AVIC on" there is the column with IPIv: without it, the check
    /// would call the setting impossible, not say whether AVIC is on.
    /// </summary>
    public IpiColumn AsIpiColumnOn(HostCaps caps) =>
        Apicv == Want.On && caps.Backend == KvmModules.Amd && caps.Modules.Parameter(KvmModules.Amd, "enable_ipiv") is null
            ? new(ApicMode.XApic, true, Apicv)
            : AsIpiColumn;

    /// <summary>
    /// Whether this host gives the setting now, can be put there by reloading KVM
    /// (<paramref name="reloadAllowed"/>: --reload-kvm), or why not.
    /// </summary>
    public Readiness Check(HostCaps host, bool reloadAllowed, Func<string?> reloadRefusal) =>
        ColumnCheck.Evaluate(AsIpiColumnOn(host), host, reloadAllowed, reloadRefusal);

    public static IReadOnlyList<VmexitColumn> All(IEnumerable<Want> settings) => settings.Select(w => new VmexitColumn(w)).ToList();
}
