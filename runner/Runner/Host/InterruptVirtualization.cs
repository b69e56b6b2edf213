namespace Runner.Host;

/// <summary>
/// APICv, IPIv and AVIC: whether the host's KVM module offers the hardware interrupt
/// virtualization the tests measure, and, when not, why and what it would take.
/// </summary>
public static class InterruptVirtualization
{
    public static Capability Apicv(KvmModules kvm)
    {
        const string needs = "APICv needs kvm_intel with enable_apicv=Y on a CPU with APIC virtualization";
        if (!kvm.IsLoaded(KvmModules.Intel))
            return Capability.No($"{NotModule(kvm, KvmModules.Intel)}; {needs}");
        return kvm.Parameter(KvmModules.Intel, "enable_apicv") switch
        {
            null => Capability.No($"kvm_intel has no enable_apicv parameter (kernel too old or parameters unreadable); {needs}"),
            var v when KvmModules.IsOn(v) => Capability.Yes($"kvm_intel enable_apicv={v}"),
            var v => Capability.No($"kvm_intel loaded with enable_apicv={v}: the CPU lacks APIC virtualization or it was turned off (modprobe kvm_intel enable_apicv=1)"),
        };
    }

    public static Capability Ipiv(KvmModules kvm)
    {
        const string needs = "IPIv needs kvm_intel with enable_ipiv=Y on a CPU with IPI virtualization";
        if (!kvm.IsLoaded(KvmModules.Intel))
            return Capability.No($"{NotModule(kvm, KvmModules.Intel)}; {needs}");
        var ipiv = kvm.Parameter(KvmModules.Intel, "enable_ipiv");
        var apicv = kvm.Parameter(KvmModules.Intel, "enable_apicv");
        if (ipiv is null)
            return Capability.No($"kvm_intel has no enable_ipiv parameter (it appeared in Linux 5.19); {needs}");
        if (!KvmModules.IsOn(ipiv))
            return Capability.No($"kvm_intel loaded with enable_ipiv={ipiv}: the CPU lacks IPI virtualization (Sapphire Rapids or later) or it was turned off (modprobe kvm_intel enable_ipiv=1)");
        // KVM only uses IPIv on top of APICv, whatever enable_ipiv says.
        if (!KvmModules.IsOn(apicv))
            return Capability.No($"kvm_intel enable_ipiv={ipiv} but enable_apicv={apicv ?? "missing"}: IPIv works only with APICv on");
        return Capability.Yes($"kvm_intel enable_ipiv={ipiv}, enable_apicv={apicv}");
    }

    public static Capability Avic(KvmModules kvm, CpuInfo cpu)
    {
        const string needs = "AVIC needs kvm_amd with avic=1 on a CPU with AVIC";
        if (!kvm.IsLoaded(KvmModules.Amd))
            return Capability.No($"{NotModule(kvm, KvmModules.Amd)}; {needs}");
        var avic = kvm.Parameter(KvmModules.Amd, "avic");
        var force = kvm.Parameter(KvmModules.Amd, "force_avic");
        if (avic is null)
            return Capability.No($"kvm_amd has no avic parameter (parameters unreadable?); {needs}");
        if (KvmModules.IsAuto(avic))
            return cpu != CpuInfo.Unknown && !cpu.Has("avic")
                ? Capability.No($"kvm_amd avic={avic} (auto) on a CPU whose flags lack avic: AVIC stays off")
                : Capability.Yes($"kvm_amd avic={avic} (auto): sysfs does not say whether AVIC came on; the in-VM trace checks every timed batch");
        if (!KvmModules.IsOn(avic))
            return Capability.No($"kvm_amd loaded with avic={avic}: the CPU lacks AVIC or it is off (modprobe kvm_amd avic=1)");
        // kvm_amd's avic_hardware_setup turns AVIC on without the CPUID bit when force_avic is
        // set ("AVIC is not supported in CPUID but force enabled"): on a CPU without AVIC that
        // is KVM believing in hardware that is not there (an SMP guest then fails to start its
        // second CPU), so no figure may carry the AVIC label.
        bool forced = KvmModules.IsOn(force);
        if (forced && cpu != CpuInfo.Unknown && !cpu.Has("avic"))
            return Capability.No($"kvm_amd avic={avic} only through force_avic={force} on a CPU whose flags lack avic (KVM: \"AVIC is not supported in CPUID but force enabled\"): AVIC is not really there");
        return Capability.Yes($"kvm_amd avic={avic}{(forced ? $", force_avic={force} (CPUID bit overridden; the CPU lists avic)" : "")}");
    }

    static string NotModule(KvmModules kvm, string wanted) =>
        kvm.Backend == KvmModules.None
            ? $"no KVM module is loaded (nothing under {kvm.SysModuleDir}/kvm_*), not {wanted}"
            : $"host KVM module is {kvm.Backend}, not {wanted}";
}
