namespace Runner.Host;

/// <summary>The host CPU flags that matter for interrupt virtualization tests, each with what its absence means.</summary>
public static class CpuFlagReport
{
    public static readonly IReadOnlyList<string> Flags = ["vmx", "svm", "x2apic", "tsc_deadline_timer", "constant_tsc"];

    public static Capability Describe(CpuInfo cpu, string flag)
    {
        if (cpu.Has(flag))
            return Capability.Yes(flag switch
            {
                "vmx" => "Intel VT-x is visible: kvm_intel can load",
                "svm" => "AMD-V is visible: kvm_amd can load",
                "x2apic" => "host APIC supports x2APIC mode",
                "tsc_deadline_timer" => "host LAPIC timer has TSC-deadline mode",
                _ => "TSC runs at a fixed rate: cycle counts convert to time",
            });

        bool nested = cpu.Has("hypervisor");
        return Capability.No(flag switch
        {
            "vmx" when cpu.Vendor == "amd" => "AMD CPU: hardware virtualization shows up as svm, not vmx",
            "vmx" when nested => "this host is itself a VM and its hypervisor does not expose nested VT-x; kvm_intel cannot load",
            "vmx" => "VT-x is absent or disabled in firmware; kvm_intel cannot load",
            "svm" when cpu.Vendor == "intel" => "Intel CPU: hardware virtualization shows up as vmx, not svm",
            "svm" when nested => "this host is itself a VM and its hypervisor does not expose nested AMD-V; kvm_amd cannot load",
            "svm" => "AMD-V is absent or disabled in firmware; kvm_amd cannot load",
            "x2apic" => "host APIC has no x2APIC mode (KVM still emulates x2APIC for guests)",
            "tsc_deadline_timer" => "host LAPIC timer lacks TSC-deadline mode (KVM emulates it for guests)",
            _ => "TSC rate may change with power states: cycle figures do not convert to time reliably",
        });
    }
}
