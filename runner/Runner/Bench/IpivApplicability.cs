using Runner.Host;

namespace Runner.Bench;

/// <summary>
/// Whether the hardware IPI acceleration can act on the kind of IPI a run sends at all. Where
/// it cannot, a with/without comparison would credit or blame IPIv for what it never touched.
/// </summary>
public static class IpivApplicability
{
    /// <summary>Null when IPIv (Intel) or AVIC (AMD) can deliver this kind without a VM exit; else why not.</summary>
    public static string? WhyNot(IpiKind kind, string backend) => (kind, backend) switch
    {
        (IpiKind.Pv, _) =>
            "IPIv does not apply to pv: the IPI is sent with the KVM_HC_SEND_IPI hypercall (VMCALL/VMMCALL), which exits whatever the host offers; " +
            "IPIv and AVIC accelerate ICR writes only",
        // SDM Vol. 3C, "IPI Virtualization": only an ICR write with fixed delivery, physical
        // destination mode and no destination shorthand is virtualized; any other write is
        // an APIC-write VM exit that KVM emulates.
        (IpiKind.Broadcast, KvmModules.Intel) =>
            "IPIv does not apply to broadcast: the ICR write uses a destination shorthand (all excluding self), and IPI virtualization " +
            "acts only on fixed, physical-destination ICR writes with no shorthand (SDM Vol. 3C, IPI virtualization); the write exits with or without IPIv",
        (IpiKind.Self, KvmModules.Intel) =>
            "IPIv does not apply to self: the ICR write uses the self shorthand, which IPI virtualization does not act on (SDM Vol. 3C, IPI virtualization); " +
            "a self-IPI is sped up by virtual-interrupt delivery (APICv) whether IPIv is on or not",
        // AVIC virtualizes fixed, edge-triggered IPIs, shorthands included; a target that is
        // not running costs an AVIC_INCOMPLETE_IPI exit whatever the kind.
        _ => null,
    };
}
