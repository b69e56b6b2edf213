using Runner.Host;

namespace Runner.Bench;

public enum ApicMode { XApic, X2Apic }

/// <summary>How the sender raises each IPI: a write of the APIC's ICR, or KVM's PV IPI hypercall (KVM_HC_SEND_IPI).</summary>
public enum IpiSend { Icr, Pv }

public static class ApicModeText
{
    /// <summary>The guest's spelling (apic=xapic|x2apic).</summary>
    public static string Arg(this ApicMode m) => m == ApicMode.X2Apic ? "x2apic" : "xapic";
    public static string Label(this ApicMode m) => m == ApicMode.X2Apic ? "x2APIC" : "xAPIC";

    /// <summary>The option's spelling (--send icr,pv).</summary>
    public static string Arg(this IpiSend s) => s == IpiSend.Pv ? "pv" : "icr";
    public static string Label(this IpiSend s) => s == IpiSend.Pv ? "PV" : "ICR";
}

/// <summary>
/// One column of the IPIv table: an APIC mode in the guest, how the IPI is sent, and the
/// host's IPIv (and optionally APICv) state. The patch's table has four: xAPIC and x2APIC,
/// each without and with IPIv, all sent through the ICR; `--send icr,pv` adds the same four
/// sent with the PV hypercall.
/// </summary>
public sealed record IpiColumn(ApicMode Apic, bool Ipiv, Want Apicv, IpiSend Send = IpiSend.Icr)
{
    public VirtWant Want => new(Ipiv, Apicv);

    /// <summary>Stable identity across files (runner compare): "xapic/wo-ipiv", "xapic/pv/wo-ipiv".</summary>
    public string Key => $"{Apic.Arg()}/{(Send == IpiSend.Pv ? "pv/" : "")}{(Ipiv ? "w" : "wo")}-ipiv" + (Apicv == Host.Want.Any || Ipiv ? "" : $"/apicv-{Apicv.ToText()}");

    public string Label => $"{Apic.Label()} {(Send == IpiSend.Pv ? "PV " : "")}{(Ipiv ? "w/" : "w/o")} IPIv" + (Apicv == Host.Want.Any || Ipiv ? "" : $" (APICv {Apicv.ToText()})");

    /// <summary>The columns to run, in the patch's order: per APIC mode and way of sending, without then with IPIv.</summary>
    public static IReadOnlyList<IpiColumn> All(IEnumerable<ApicMode> modes, IEnumerable<bool> ipiv, Want apicv, IEnumerable<IpiSend>? sends = null) =>
        modes.Order().SelectMany(m => (sends ?? [IpiSend.Icr]).Distinct().Order()
            .SelectMany(s => ipiv.Order().Select(i => new IpiColumn(m, i, apicv, s)))).ToList();
}
