namespace Runner.Host;

/// <summary>One reason KVM keeps APICv/AVIC off for a whole VM, and what the runner does about it.</summary>
/// <param name="Name">KVM's name (APICV_INHIBIT_REASON_*, without the prefix).</param>
/// <param name="Cause">What sets it.</param>
/// <param name="Source">Where in KVM it is set (arch/x86/kvm).</param>
/// <param name="Guard">How a benchmark VM avoids it, or how the runner notices it.</param>
/// <param name="Vendors">Whose required inhibits list it: "AVIC", "APICv" or both.</param>
public sealed record ApicvInhibit(string Name, string Cause, string Source, string Guard, string Vendors);

/// <summary>
/// KVM's APICv/AVIC inhibit reasons, as kvm_host.h's enum kvm_apicv_inhibit lists them, in one
/// place: what sets each, and how the runner keeps a benchmark VM clear of it. KVM records only
/// the reasons the vendor module requires (svm.h AVIC_REQUIRED_APICV_INHIBITS, vmx
/// VMX_REQUIRED_APICV_INHIBITS); a VM whose mask is 0 runs with APICv/AVIC active. Every change
/// is traced (kvm:kvm_apicv_inhibit_changed) with the whole mask after it, which is how the
/// runner sees the state during a timed batch (Counters/ApicvTrace.cs).
/// </summary>
public static class ApicvInhibits
{
    public static readonly IReadOnlyList<ApicvInhibit> All =
    [
        new("DISABLE", "enable_apicv=N / avic=0, or no hardware support", "x86.c kvm_apicv_init", "the column check reads the module parameters; the trace confirms", "AVIC, APICv"),
        new("HYPERV", "a Hyper-V guest uses SynIC AutoEOI", "hyperv.c synic_update_vector", "benchmark guests get no hv-* enlightenments", "AVIC, APICv"),
        new("ABSENT", "no in-kernel irqchip (yet)", "x86.c kvm_apicv_init, cleared by KVM_CREATE_IRQCHIP / KVM_CAP_SPLIT_IRQCHIP", "QEMU's default in-kernel irqchip; never kernel-irqchip=off", "AVIC, APICv"),
        new("BLOCKIRQ", "KVM_GUESTDBG_BLOCKIRQ (a debugger blocks interrupts)", "x86.c kvm_arch_vcpu_ioctl_set_guest_debug", "no gdbstub on benchmark VMs", "AVIC, APICv"),
        new("PHYSICAL_ID_ALIASED", "two vCPUs share an APIC ID (or an x2APIC ID aliases in xAPIC)", "lapic.c kvm_recalculate_apic_map (not in 6.1; in 6.12)", "QEMU assigns unique IDs and the kernels never write APIC ID", "AVIC, APICv"),
        new("APIC_ID_MODIFIED", "the guest changed its xAPIC ID", "lapic.c kvm_lapic_xapic_id_updated", "the kernels never write the APIC ID register", "AVIC, APICv"),
        new("APIC_BASE_MODIFIED", "the guest moved the APIC base", "lapic.c kvm_lapic_set_base", "the kernels keep IA32_APIC_BASE at its reset address", "AVIC, APICv"),
        new("NESTED", "the vCPU runs a nested guest", "svm/avic.c avic_vcpu_get_apicv_inhibit_reasons (per vCPU, not in the VM mask)", "benchmark guests never VMRUN", "AVIC"),
        new("IRQWIN", "KVM waits for an interrupt window with a virtual IRQ (ExtINT, the PIC)", "svm/svm.c svm_enable_irq_window", "no PIC source in benchmark VMs (pit=off); transient, so the trace checks the batch", "AVIC"),
        new("PIT_REINJ", "the in-kernel PIT in reinject mode (QEMU's default lost_tick_policy=delay)", "i8254.c kvm_pit_set_reinject", "benchmark VMs get -machine pit=off and -global kvm-pit.lost_tick_policy=discard", "AVIC"),
        new("SEV", "an SEV guest", "svm/sev.c sev_guest_init", "benchmark guests are not SEV", "AVIC"),
        new("LOGICAL_ID_ALIASED", "logical APIC IDs alias", "lapic.c kvm_recalculate_logical_map (not in 6.1; in 6.12)", "benchmark IPIs use physical destinations; the trace checks", "AVIC"),
        new("PHYSICAL_ID_TOO_BIG", "an APIC ID beyond AVIC's physical ID table", "svm/avic.c (not in 6.12; in 6.18)", "benchmark VMs have few vCPUs; the trace checks", "AVIC"),
        new("X2APIC (no reason bit)", "an x2APIC guest on AMD without x2AVIC", "svm/avic.c: AVIC accelerates x2APIC only with x2AVIC", "the column check refuses x2APIC w/ IPIv without the x2avic CPU flag", "AVIC"),
    ];

    /// <summary>
    /// The bit order of kernels whose trace prints the mask as a number only. Linux 6.1's enum
    /// (kvm_host.h); by 6.12 PHYSICAL_ID_ALIASED sits at bit 4, and 6.12 and later print the
    /// names themselves, which <see cref="Decode"/> prefers.
    /// </summary>
    public static readonly IReadOnlyList<string> Linux61Bits =
        ["DISABLE", "HYPERV", "ABSENT", "BLOCKIRQ", "APIC_ID_MODIFIED", "APIC_BASE_MODIFIED", "NESTED", "IRQWIN", "PIT_REINJ", "SEV"];

    /// <summary>
    /// The names of the set bits of <paramref name="mask"/>: those the kernel printed when it
    /// did, else the 6.1 order for a 6.1 kernel, else "bit N" (the order of other
    /// kernels that print no names is not known here).
    /// </summary>
    public static IReadOnlyList<string> Decode(ulong mask, IReadOnlyList<string>? printed, string kernelRelease)
    {
        if (printed is { Count: > 0 }) return printed;
        bool linux61 = Config.ConditionFacts.KernelVersion(kernelRelease) is { Major: 6, Minor: 1 };
        var names = new List<string>();
        for (int bit = 0; bit < 64; bit++)
            if ((mask & (1UL << bit)) != 0)
                names.Add(linux61 && bit < Linux61Bits.Count ? Linux61Bits[bit] : $"bit {bit}");
        return names;
    }
}
