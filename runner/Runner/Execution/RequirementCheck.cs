using Runner.Config;
using Runner.Host;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>Answers an entry's `requires` for the chosen accelerator; an unmet one becomes a SKIP with its reason.</summary>
public static class RequirementCheck
{
    /// <summary>QEMU's TCG gained x2APIC emulation in 9.0; before that -cpu max has no x2APIC.</summary>
    public static readonly Version TcgX2ApicSince = new(9, 0);

    /// <returns>null when every requirement holds, else why the first one does not.</returns>
    public static string? FirstUnmet(IEnumerable<string> requires, HostCaps caps, AccelKind accel)
    {
        foreach (var r in requires)
        {
            var c = Evaluate(r, caps, accel);
            if (!c.Available)
                return $"requires {r}: {c.Detail}";
        }
        return null;
    }

    public static Capability Evaluate(string requirement, HostCaps caps, AccelKind accel)
    {
        var kvmOnly = accel == AccelKind.Kvm ? null : Capability.No($"this run uses TCG; {requirement} exists only under KVM");
        return requirement switch
        {
            Requirement.Kvm => accel == AccelKind.Kvm ? caps.Kvm : Capability.No("this run uses TCG"),
            Requirement.X2Apic => accel == AccelKind.Kvm ? caps.KvmX2Apic : TcgX2Apic(caps),
            // QEMU turns kvm-pv-eoi on by default for KVM guests; TCG has no KVM paravirt features.
            Requirement.PvEoi => kvmOnly ?? Capability.Yes("QEMU enables kvm-pv-eoi for KVM guests"),
            Requirement.Apicv => kvmOnly ?? caps.Apicv,
            Requirement.Ipiv => kvmOnly ?? caps.Ipiv,
            Requirement.Avic => kvmOnly ?? caps.Avic,
            _ => Capability.No($"unknown requirement (known: {string.Join(", ", Requirement.All)})"),
        };
    }

    static Capability TcgX2Apic(HostCaps caps)
    {
        var v = caps.Qemu?.Version;
        if (v is null)
            return Capability.No("QEMU version unknown; TCG emulates x2APIC only from QEMU 9.0");
        return v >= TcgX2ApicSince
            ? Capability.Yes($"QEMU {v} TCG emulates x2APIC")
            : Capability.No($"QEMU {v} TCG has no x2APIC emulation (added in QEMU 9.0); use KVM");
    }
}
