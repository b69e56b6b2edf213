using Runner.Host;

namespace Runner.Bench;

public enum ApicMode { XApic, X2Apic }

public static class ApicModeText
{
    /// <summary>The guest's spelling (apic=xapic|x2apic).</summary>
    public static string Arg(this ApicMode m) => m == ApicMode.X2Apic ? "x2apic" : "xapic";
    public static string Label(this ApicMode m) => m == ApicMode.X2Apic ? "x2APIC" : "xAPIC";
}

/// <summary>
/// One column of the IPIv table: an APIC mode in the guest, and the host's IPIv (and
/// optionally APICv) state. The patch's table has four: xAPIC and x2APIC, each without
/// and with IPIv.
/// </summary>
public sealed record IpiColumn(ApicMode Apic, bool Ipiv, Want Apicv)
{
    public VirtWant Want => new(Ipiv, Apicv);

    /// <summary>Stable identity across files (runner compare): "xapic/wo-ipiv".</summary>
    public string Key => $"{Apic.Arg()}/{(Ipiv ? "w" : "wo")}-ipiv" + (Apicv == Host.Want.Any || Ipiv ? "" : $"/apicv-{Apicv.ToText()}");

    public string Label => $"{Apic.Label()} {(Ipiv ? "w/" : "w/o")} IPIv" + (Apicv == Host.Want.Any || Ipiv ? "" : $" (APICv {Apicv.ToText()})");

    /// <summary>The columns to run, in the patch's order: per APIC mode, without then with IPIv.</summary>
    public static IReadOnlyList<IpiColumn> All(IEnumerable<ApicMode> modes, IEnumerable<bool> ipiv, Want apicv) =>
        modes.Order().SelectMany(m => ipiv.Order().Select(i => new IpiColumn(m, i, apicv))).ToList();
}
