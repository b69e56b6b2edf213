using System.Runtime.InteropServices;
using Kernel;

/// <summary>
/// The cost of the operations that make a guest leave to the hypervisor, one case each, in
/// one boot: kvm-unit-tests' x86/vmexit idea, as a <see cref="BenchSuite"/> table (the
/// runner's `runner vmexit` reads the figures and counts KVM's exits around each case).
///
/// Command line: the suite's batches=N ops=N only=a,b parallel=0|1 sync=0|1. Needs the APIC
/// on every CPU; `ipi`, `ipi_halt` need two vCPUs; `pci-mem-N`/`pci-io-N` need
/// `-device pci-testdev` (pci-io an I/O BAR: port I/O reaches PCI on pc and q35, not microvm).
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "vmexit";

    private const int SelfIpiVector = 0xB0;             // kvm-unit-tests' IPI_TEST_VECTOR
    private const int TimerVector = 0xB1;
    private const ulong TscDeadlineDelta = 3000;         // cycles ahead, as kvm-unit-tests arms it
    private const ulong TprBlockAll = 0x0F;              // CR8 = TPR[7:4]: class 15 masks every vector
    private const ulong Dr7Fixed1 = 0x400;
    private const ulong Cr0Wp = 1UL << 16, Cr4Pge = 1UL << 7;
    private const ulong InterruptWaitUs = 1_000_000;
    private const ulong DrainWaitUs = 20_000;       // after a case: lets a late interrupt in

    // Ports: unassigned (QEMU's user space answers), ELCR of the in-kernel 8259 (KVM answers).
    private const ushort PortQemu = 0x1234, PortElcr = 0x4D0;

    // MSRs and their CPUID bits (SDM vol. 4 table 2-2; AMD APM vol. 3 E.4.7).
    private const uint MsrTscAdjust = 0x3B, MsrSpecCtrl = 0x48, MsrPredCmd = 0x49, MsrArchCapabilities = 0x10A;
    private const uint MsrTsxCtrl = 0x122, MsrKernelGsBase = 0xC0000102;
    private const ulong SpecCtrlIbrs = 1, PredCmdIbpb = 1, ArchCapTsxCtrl = 1UL << 7;
    private const uint LeafStructuredFeatures = 0x7, LeafExtendedIds = 0x80000008;
    private const int Leaf7EbxTscAdjust = 1, Leaf7EdxSpecCtrl = 26, Leaf7EdxArchCapabilities = 29, ExtEbxAmdIbpb = 12;

    // ACPI FADT (spec 6.5 5.2.9): PM_TMR_BLK, a 32-bit I/O port.
    private const int FadtPmTimerBlock = 76;

    [DllImport("*"), SuppressGCTransition] private static extern void vmexit_op_cpuid();
    [DllImport("*"), SuppressGCTransition] private static extern void vmexit_op_vmcall();
    [DllImport("*"), SuppressGCTransition] private static extern void vmexit_op_vmmcall();
    [DllImport("*"), SuppressGCTransition] private static extern void vmexit_op_wbinvd();
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_op_read_cr8();
    [DllImport("*"), SuppressGCTransition] private static extern void vmexit_op_write_cr8(ulong value);
    [DllImport("*"), SuppressGCTransition] private static extern void vmexit_op_write_dr7(ulong value);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_cpuid(ulong n);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_vmcall(ulong n);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_vmmcall(ulong n);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_read_cr8(ulong n);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_write_cr8(ulong n);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_write_dr7(ulong n);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_inl(ulong n, uint port);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_inb(ulong n, uint port);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_outb(ulong n, uint port);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_rdmsr(ulong n, uint msr);
    [DllImport("*"), SuppressGCTransition] private static extern ulong vmexit_loop_wrmsr_zero(ulong n, uint msr);

    private static int s_interrupts;       // read across calls (Pause), so never cached
    private static ushort s_pmTimer;
    private static ulong s_cr0, s_cr4;
    private static int s_intel;
    private static int s_ipiFailed;

    public static void Run()
    {
        s_intel = IsIntel() ? 1 : 0;
        Report.Info("vmexit.vendor", s_intel != 0 ? "intel" : "amd-or-other");
        Report.Check(Apic.Init(ApicMode.XApic), "vmexit.apic_mode_set");
        Report.Check(Apic.InitOtherCpus(), "vmexit.ap_apic_ready", "an AP could not set up its APIC");
        // The timed cases' interrupts take light lean entries (kernel/lib/LeanIdt.cs): three
        // registers saved, the handler called directly, no frame and no table lookup.
        if (!Report.Check(LeanIdt.InstallLight(SelfIpiVector, SelfIpiLightEntry), "vmexit.lean_entry_installed", "light lean entry 0 does not exist")) return;
        if (!Report.Check(LeanIdt.InstallLight(TimerVector, TimerLightEntry), "vmexit.lean_entry_installed_timer", "light lean entry 1 does not exist")) return;
        if (!BenchSuite.Init()) return;
        if (!BenchSuite.Baseline("baseline")) return;

        // name                         operation            precondition / set-up   check           flags                 assembly
        BenchSuite.Case("cpuid",             &vmexit_op_cpuid,    null,                 null,           CaseFlags.Parallel,   &AsmCpuid);
        BenchSuite.Case("vmcall",            &vmexit_op_vmcall,   &OnIntel,             null,           CaseFlags.Parallel,   &AsmVmcall);
        BenchSuite.Case("vmmcall",           &vmexit_op_vmmcall,  &OnAmd,               null,           CaseFlags.Parallel,   &AsmVmmcall);
        BenchSuite.Case("wbinvd",            &vmexit_op_wbinvd,   null,                 null,           CaseFlags.Parallel,   null);
        BenchSuite.Case("mov_from_cr8",      &MovFromCr8,         null,                 null,           CaseFlags.Parallel,   &AsmReadCr8);
        BenchSuite.Case("mov_to_cr8",        &MovToCr8,           null,                 null,           CaseFlags.Parallel,   &AsmWriteCr8);
        BenchSuite.Case("inl_from_pmtimer",  &InlPmTimer,         &HasPmTimer,          null,           CaseFlags.Parallel,   &AsmInlPmTimer);
        BenchSuite.Case("inl_from_qemu",     &InlQemu,            null,                 null,           CaseFlags.Parallel,   &AsmInlQemu);
        BenchSuite.Case("inl_from_kernel",   &InbKernel,          null,                 null,           CaseFlags.Parallel,   &AsmInbKernel);
        BenchSuite.Case("outl_to_kernel",    &OutbKernel,         null,                 null,           CaseFlags.Parallel,   &AsmOutbKernel);
        BenchSuite.Case("mov_dr",            &MovDr,              null,                 null,           CaseFlags.Parallel,   &AsmMovDr);
        BenchSuite.Case("tscdeadline_immed", &TscDeadlineImmed,   &ArmTscDeadline,      &CheckTimer, CaseFlags.None,      null);
        BenchSuite.Case("tscdeadline",       &TscDeadline,        &ArmTscDeadline,      &CheckTimer,    CaseFlags.None,       null);
        BenchSuite.Case("self_ipi_sti_nop",  &SelfIpiStiNop,      &CountInterrupts,     &CheckOnePerOp, CaseFlags.None,       null);
        BenchSuite.Case("self_ipi_sti_hlt",  &SelfIpiStiHlt,      &CountAndWatch,       &CheckHalted,   CaseFlags.None,       null);
        BenchSuite.Case("self_ipi_tpr",      &SelfIpiTpr,         &CountWithIf,         &CheckOnePerOp, CaseFlags.None,       null);
        BenchSuite.Case("self_ipi_tpr_sti_nop", &SelfIpiTprStiNop, &CountInterrupts,    &CheckOnePerOp, CaseFlags.None,       null);
        BenchSuite.Case("self_ipi_tpr_sti_hlt", &SelfIpiTprStiHlt, &CountAndWatch,      &CheckHalted,   CaseFlags.None,       null);
        BenchSuite.Case("ipi",               &Ipi,                &StartSpinningTarget, &StopTarget,    CaseFlags.None,       null);
        BenchSuite.Case("ipi_halt",          &Ipi,                &StartHaltedTarget,   &StopTarget,    CaseFlags.None,       null);
        BenchSuite.Case("ple_round_robin",   &PleRoundRobin,      &ResetRoundRobin,     null,           CaseFlags.Parallel,   null);
        BenchSuite.Case("wr_kernel_gs_base", &WrKernelGsBase,     null,                 null,           CaseFlags.Parallel,   &AsmWrKernelGsBase);
        BenchSuite.Case("wr_tsx_ctrl_msr",   &WrTsxCtrl,          &HasTsxCtrl,          null,           CaseFlags.Parallel,   null);
        BenchSuite.Case("wr_ibrs_msr",       &WrIbrs,             &HasSpecCtrl,         null,           CaseFlags.Parallel,   null);
        BenchSuite.Case("wr_ibpb_msr",       &WrIbpb,             &HasIbpb,             null,           CaseFlags.Parallel,   null);
        BenchSuite.Case("wr_tsc_adjust_msr", &WrTscAdjust,        &HasTscAdjust,        null,           CaseFlags.Parallel,   &AsmWrTscAdjust);
        BenchSuite.Case("rd_tsc_adjust_msr", &RdTscAdjust,        &HasTscAdjust,        null,           CaseFlags.Parallel,   &AsmRdTscAdjust);
        BenchSuite.Case("toggle_cr0_wp",     &ToggleCr0Wp,        &SaveCr0,             null,           CaseFlags.None,       null);
        BenchSuite.Case("toggle_cr4_pge",    &ToggleCr4Pge,       &SaveCr4,             null,           CaseFlags.None,       null);
        PciCases.Run();
        // Last: they switch every CPU to x2APIC, which the cases above do not expect.
        BenchSuite.Case("x2apic_self_ipi_sti_nop",     &X2SelfIpiStiNop,    &X2ApicCount,   &CheckOnePerOp, CaseFlags.None, null);
        BenchSuite.Case("x2apic_self_ipi_sti_hlt",     &X2SelfIpiStiHlt,    &X2ApicWatch,   &CheckHalted,   CaseFlags.None, null);
        BenchSuite.Case("x2apic_self_ipi_tpr",         &X2SelfIpiTpr,       &X2ApicCountIf, &CheckOnePerOp, CaseFlags.None, null);
        BenchSuite.Case("x2apic_self_ipi_tpr_sti_nop", &X2SelfIpiTprStiNop, &X2ApicCount,   &CheckOnePerOp, CaseFlags.None, null);
        BenchSuite.Case("x2apic_self_ipi_tpr_sti_hlt", &X2SelfIpiTprStiHlt, &X2ApicWatch,   &CheckHalted,   CaseFlags.None, null);
        BenchSuite.Finish();
    }

    private static bool IsIntel()
    {
        CpuidResult v = Cpu.Cpuid(CpuidLeaves.Vendor);
        return v.Ebx == 0x756E6547 && v.Edx == 0x49656E69 && v.Ecx == 0x6C65746E;   // "GenuineIntel"
    }

    /// <summary>The light lean entries whose handlers are <see cref="OnSelfIpi"/> and <see cref="OnTimer"/> (their export names say so).</summary>
    private const int SelfIpiLightEntry = 0, TimerLightEntry = 1;

    // Called straight from a light entry, which saves only rax, rcx and rdx: `imagetool check`
    // fails the build if this code, or what it calls, writes another register. RuntimeExport:
    // an exported symbol without UnmanagedCallersOnly's reverse-P/Invoke frame (LeanIdt.InstallLight).
    [System.Runtime.RuntimeExport("lean_light_handler_0")]
    private static void OnSelfIpi() => CountAndEoi();

    [System.Runtime.RuntimeExport("lean_light_handler_1")]
    private static void OnTimer() => CountAndEoi();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void CountAndEoi()
    {
        s_interrupts = s_interrupts + 1;
        Apic.Eoi();
    }

    // ---------------- preconditions and checks ----------------

    private static string? OnIntel() => s_intel != 0 ? null : "VMCALL is Intel's hypercall instruction; this CPU is not Intel (see vmmcall)";
    private static string? OnAmd() => s_intel == 0 ? null : "VMMCALL is AMD's hypercall instruction; this CPU is Intel (see vmcall)";

    private static string? HasPmTimer()
    {
        byte* fadt = Acpi.FindTable("FACP");
        if (fadt == null) return "no ACPI FADT: this machine has no ACPI PM timer (q35 and pc have one)";
        if (Acpi.LengthOf(fadt) < FadtPmTimerBlock + 4) return "the FADT is too short to hold PM_TMR_BLK";
        uint port = *(uint*)(fadt + FadtPmTimerBlock);
        if (port == 0 || port > 0xFFFF) return "FADT PM_TMR_BLK is 0: no ACPI PM timer (hardware-reduced ACPI, as on microvm)";
        s_pmTimer = (ushort)port;
        return null;
    }

    private static string? ArmTscDeadline()
    {
        if (!Apic.TscDeadlineSupported) return "CPUID.1:ECX.TSC_Deadline[24] is clear: no TSC-deadline timer";
        s_interrupts = 0;
        Apic.TimerTscDeadline(TimerVector, TscDeadlineMsr.Disarmed);
        Cpu.EnableInterrupts();
        return null;
    }

    private static string? CheckTimer(string name, long ops)
    {
        Apic.TimerStop();
        return Delivered(name, ops);
    }

    /// <summary>
    /// TPR back to 0 for the drain, written only when it is not 0 already (a TPR case that was
    /// cut short): an L2 CR8 write with IF clear and an interrupt pending aborts QEMU 7.2's TCG
    /// under an L1 host (errata.cfg l0-tcg-cr8-write-virq-unlocked), and after a case here IF is
    /// clear and its last interrupt may still be pending. Reading CR8 has no such path.
    /// </summary>
    private static string? CheckOnePerOp(string name, long ops)
    {
        if (vmexit_op_read_cr8() != 0) vmexit_op_write_cr8(0);
        return Delivered(name, ops);
    }

    /// <summary>
    /// Every operation made one interrupt pending; how soon the host delivers it is not
    /// architectural (kvm_pvm waits for a host tick, so a one-instruction STI window often
    /// sees none), and one still pending when the next is sent merges with it in IRR. So:
    /// reported are the deliveries during the case, then a bounded window lets the last
    /// one in, and two checks of their own: at least one delivery, and never more than one
    /// per operation (an extra delivery is a host bug, not a merge).
    /// </summary>
    private static string? Delivered(string name, long ops)
    {
        Report.Metric("bench.", name, ".interrupts_in_case", s_interrupts, "count");
        fixed (int* count = &s_interrupts) InterruptWindow.WaitCount(count, (int)ops, DrainWaitUs, true);
        Report.Metric("bench.", name, ".interrupts_sent", ops, "count");
        Report.CheckRange("bench.", name, ".interrupts_delivered", s_interrupts, 1, ops);
        Report.CheckRange("bench.", name, ".interrupts_at_most_one_per_send", s_interrupts, 0, ops);
        return null;
    }

    private static string? CountInterrupts()
    {
        s_interrupts = 0;
        return null;
    }

    /// <summary>The halting cases: a self-IPI that never wakes the HLT would stop the boot, so a watchdog bounds each wait.</summary>
    private static string? CountAndWatch()
    {
        string? why = CountInterrupts();
        if (why != null) return why;
        fixed (int* count = &s_interrupts) return HaltWatchdog.Start(count, SelfIpiVector);
    }

    private static string? CheckHalted(string name, long ops)
    {
        string? lost = HaltWatchdog.Stop("bench.", name);
        string? delivered = CheckOnePerOp(name, ops);
        return lost ?? delivered;
    }

    private static string? CountWithIf()
    {
        s_interrupts = 0;
        Cpu.EnableInterrupts();
        return null;
    }

    private static string? X2ApicCount()
    {
        if (!Apic.X2ApicSupported) return "CPUID.1:ECX.x2APIC[21] is clear: no x2APIC";
        if (Apic.Mode != ApicMode.X2Apic)
        {
            if (!BenchSuite.UnparkAps()) return "an AP could not be woken to switch to x2APIC";
            bool ok = Apic.Init(ApicMode.X2Apic) && Apic.InitOtherCpus();
            BenchSuite.ParkAps();
            if (!ok) return "switching the CPUs to x2APIC failed";
        }
        return CountInterrupts();
    }

    private static string? X2ApicWatch()
    {
        string? why = X2ApicCount();
        return why ?? CountAndWatch();
    }

    private static string? X2ApicCountIf()
    {
        string? why = X2ApicCount();
        if (why == null) Cpu.EnableInterrupts();
        return why;
    }

    private static string? StartSpinningTarget() => StartTarget(false);
    private static string? StartHaltedTarget() => StartTarget(true);

    private static string? StartTarget(bool halt)
    {
        if (Smp.CpuCount < 2) return "one vCPU: an IPI round trip needs a second (smp = 2)";
        s_ipiFailed = 0;
        if (!BenchSuite.UnparkAps() || !IpiPingPong.Start(1, halt)) return "CPU 1 could not be started as the IPI target";
        return null;
    }

    private static string? StopTarget(string name, long ops)
    {
        bool stopped = IpiPingPong.Stop();
        BenchSuite.ParkAps();
        if (s_ipiFailed != 0) return "an IPI was never acknowledged by the target's handler";
        return stopped ? null : "the IPI target did not stop";
    }

    private static string? HasTsxCtrl()
    {
        if (!CpuidLeaves.Has(Cpu.Cpuid(LeafStructuredFeatures).Edx, Leaf7EdxArchCapabilities))
            return "CPUID.7:EDX.ARCH_CAPABILITIES[29] is clear, so IA32_TSX_CTRL cannot be found";
        ulong caps;
        if (Cpu.ReadMsrSafe(MsrArchCapabilities, &caps) != Cpu.NoFault) return "RDMSR IA32_ARCH_CAPABILITIES faulted";
        return (caps & ArchCapTsxCtrl) != 0 ? null : "IA32_ARCH_CAPABILITIES.TSX_CTRL[7] is clear: no IA32_TSX_CTRL";
    }

    private static string? HasSpecCtrl() =>
        CpuidLeaves.Has(Cpu.Cpuid(LeafStructuredFeatures).Edx, Leaf7EdxSpecCtrl) ? null
        : "CPUID.7:EDX.IBRS_IBPB[26] is clear: no IA32_SPEC_CTRL";

    private static string? HasIbpb()
    {
        if (CpuidLeaves.Has(Cpu.Cpuid(LeafStructuredFeatures).Edx, Leaf7EdxSpecCtrl)) return null;
        if (Cpu.Cpuid(CpuidLeaves.ExtendedMax).Eax >= LeafExtendedIds && CpuidLeaves.Has(Cpu.Cpuid(LeafExtendedIds).Ebx, ExtEbxAmdIbpb)) return null;
        return "neither CPUID.7:EDX.IBRS_IBPB[26] nor CPUID.80000008H:EBX.IBPB[12]: no IA32_PRED_CMD";
    }

    private static string? HasTscAdjust() =>
        CpuidLeaves.Has(Cpu.Cpuid(LeafStructuredFeatures).Ebx, Leaf7EbxTscAdjust) ? null
        : "CPUID.7:EBX.TSC_ADJUST[1] is clear: no IA32_TSC_ADJUST";

    private static string? SaveCr0()
    {
        s_cr0 = Cpu.ReadCr0();
        return null;
    }

    private static string? SaveCr4()
    {
        s_cr4 = Cpu.ReadCr4();
        return null;
    }

    // ---------------- operations ----------------

    private static void MovFromCr8() => vmexit_op_read_cr8();
    private static void MovToCr8() => vmexit_op_write_cr8(0);
    private static void InlPmTimer() => Cpu.InL(s_pmTimer);
    private static void InlQemu() => Cpu.InL(PortQemu);
    private static void InbKernel() => Cpu.InB(PortElcr);
    private static void OutbKernel() => Cpu.OutB(PortElcr, 0);
    private static void MovDr() => vmexit_op_write_dr7(Dr7Fixed1);

    private static void TscDeadlineImmed()
    {
        Cpu.WriteMsr(TscDeadlineMsr.Msr, Cpu.Rdtsc());
    }

    private static void TscDeadline()
    {
        int before = s_interrupts;
        Cpu.WriteMsr(TscDeadlineMsr.Msr, Cpu.Rdtsc() + TscDeadlineDelta);
        WaitInterrupt(before);
    }

    /// <summary>Spins until the handler counted one more; bounded by the TSC, checked sparingly.</summary>
    private static void WaitInterrupt(int before)
    {
        int spins = 0;
        ulong giveUp = 0;
        while (s_interrupts == before)
        {
            Cpu.Pause();
            if ((++spins & 1023) == 0)
            {
                if (giveUp == 0) giveUp = Tsc.Deadline(InterruptWaitUs);
                else if (Tsc.Passed(giveUp)) return;
            }
        }
    }

    private static void SelfIpi() => Apic.SendIpiNoWait(0, (uint)SelfIpiVector | ApicRegisters.IcrFixed | ApicRegisters.IcrPhysical
        | ApicRegisters.IcrSelf | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrTriggerEdge);

    /// <summary>
    /// Halts until the self-IPI's handler has run, not just until the first wake-up: a watchdog
    /// tick ends a HLT too, and an operation ended by one would time a lost IPI as a fast one.
    /// The count is read with IF clear and STI;HLT are back to back (STI's one-instruction
    /// shadow, SDM vol. 2 STI), so an IPI that comes after the read is still pending at the HLT
    /// and ends it: a wait that never ends is a wake-up the host lost, which the watchdog ends
    /// and the case's check fails with the APIC state it saw.
    /// </summary>
    private static void HaltUntilHandled(int before)
    {
        while (s_interrupts == before && !HaltWatchdog.Expired)
        {
            Cpu.EnableInterruptsAndHalt();
            Cpu.DisableInterrupts();
        }
    }

    private static void SelfIpiStiNop()
    {
        Cpu.DisableInterrupts();
        SelfIpi();
        Cpu.InterruptWindow();
    }

    private static void SelfIpiStiHlt()
    {
        if (HaltWatchdog.Expired) return;   // the wake-up was lost: halting again would wait for good
        int before = s_interrupts;
        Cpu.DisableInterrupts();
        SelfIpi();
        HaltUntilHandled(before);
    }

    private static void SelfIpiTpr()
    {
        vmexit_op_write_cr8(TprBlockAll);
        SelfIpi();
        vmexit_op_write_cr8(0);
    }

    private static void SelfIpiTprStiNop()
    {
        Cpu.DisableInterrupts();
        SelfIpiTpr();
        Cpu.InterruptWindow();
    }

    private static void SelfIpiTprStiHlt()
    {
        if (HaltWatchdog.Expired) return;   // the wake-up was lost: halting again would wait for good
        int before = s_interrupts;
        Cpu.DisableInterrupts();
        SelfIpiTpr();
        HaltUntilHandled(before);
    }

    private static void X2SelfIpiStiNop()
    {
        Cpu.DisableInterrupts();
        X2Apic.SelfIpi(SelfIpiVector);
        Cpu.InterruptWindow();
    }

    private static void X2SelfIpiStiHlt()
    {
        if (HaltWatchdog.Expired) return;   // the wake-up was lost: halting again would wait for good
        int before = s_interrupts;
        Cpu.DisableInterrupts();
        X2Apic.SelfIpi(SelfIpiVector);
        HaltUntilHandled(before);
    }

    private static void X2SelfIpiTpr()
    {
        vmexit_op_write_cr8(TprBlockAll);
        X2Apic.SelfIpi(SelfIpiVector);
        vmexit_op_write_cr8(0);
    }

    private static void X2SelfIpiTprStiNop()
    {
        Cpu.DisableInterrupts();
        X2SelfIpiTpr();
        Cpu.InterruptWindow();
    }

    private static void X2SelfIpiTprStiHlt()
    {
        if (HaltWatchdog.Expired) return;   // the wake-up was lost: halting again would wait for good
        int before = s_interrupts;
        Cpu.DisableInterrupts();
        X2SelfIpiTpr();
        HaltUntilHandled(before);
    }

    private static void Ipi()
    {
        if (!IpiPingPong.RoundTrip()) s_ipiFailed = 1;
    }

    // kvm-unit-tests' ple_round_robin: a token passed around the CPUs taking part, each
    // waiting for it with PAUSE (what pause-loop exiting watches for).
    private struct RoundRobinCounter { public int N1, N2; public fixed int Pad[14]; }
    private struct RoundRobin { public fixed int Words[PerCpu.MaxCpus * 16]; }
    private static RoundRobin s_roundRobin;
    private const int CounterWords = 16;
    private const ulong RoundRobinWaitUs = 10_000_000;

    private static string? ResetRoundRobin()
    {
        fixed (int* w = s_roundRobin.Words)
        {
            for (int i = 0; i < PerCpu.MaxCpus * CounterWords; i++) w[i] = 0;
            w[0] = -1;      // CPU 0 holds the token first
        }
        return null;
    }

    private static void PleRoundRobin()
    {
        fixed (int* w = s_roundRobin.Words)
        {
            int me = Smp.CurrentCpu;
            int* n1 = w + me * CounterWords;
            int* n2 = n1 + 1;
            int spins = 0;
            ulong giveUp = 0;
            while (*n1 == *n2)   // Pause is a call: the loads are redone
            {
                Cpu.Pause();
                if ((++spins & 1023) == 0)
                {
                    if (giveUp == 0) giveUp = Tsc.Deadline(RoundRobinWaitUs);
                    else if (Tsc.Passed(giveUp)) return;
                }
            }
            *n2 = *n1;
            int you = me + 1 == BenchSuite.Participants ? 0 : me + 1;
            Atomic.FetchAdd(w + you * CounterWords, 1);
        }
    }

    private static void WrKernelGsBase() => Cpu.WriteMsr(MsrKernelGsBase, 0);
    private static void WrTsxCtrl() => Cpu.WriteMsr(MsrTsxCtrl, 0);
    private static void WrIbrs()
    {
        Cpu.WriteMsr(MsrSpecCtrl, SpecCtrlIbrs);
        Cpu.WriteMsr(MsrSpecCtrl, 0);
    }
    private static void WrIbpb() => Cpu.WriteMsr(MsrPredCmd, PredCmdIbpb);
    private static void WrTscAdjust() => Cpu.WriteMsr(MsrTscAdjust, 0);
    private static void RdTscAdjust() => Cpu.ReadMsr(MsrTscAdjust);

    private static void ToggleCr0Wp()
    {
        Cpu.WriteCr0(s_cr0 ^ Cr0Wp);
        Cpu.WriteCr0(s_cr0);
    }

    private static void ToggleCr4Pge()
    {
        Cpu.WriteCr4(s_cr4 ^ Cr4Pge);
        Cpu.WriteCr4(s_cr4);
    }

    // ---------------- assembly references ----------------

    private static ulong AsmCpuid(ulong n) => vmexit_loop_cpuid(n);
    private static ulong AsmVmcall(ulong n) => vmexit_loop_vmcall(n);
    private static ulong AsmVmmcall(ulong n) => vmexit_loop_vmmcall(n);
    private static ulong AsmReadCr8(ulong n) => vmexit_loop_read_cr8(n);
    private static ulong AsmWriteCr8(ulong n) => vmexit_loop_write_cr8(n);
    private static ulong AsmMovDr(ulong n) => vmexit_loop_write_dr7(n);
    private static ulong AsmInlPmTimer(ulong n) => vmexit_loop_inl(n, s_pmTimer);
    private static ulong AsmInlQemu(ulong n) => vmexit_loop_inl(n, PortQemu);
    private static ulong AsmInbKernel(ulong n) => vmexit_loop_inb(n, PortElcr);
    private static ulong AsmOutbKernel(ulong n) => vmexit_loop_outb(n, PortElcr);
    private static ulong AsmWrKernelGsBase(ulong n) => vmexit_loop_wrmsr_zero(n, MsrKernelGsBase);
    private static ulong AsmWrTscAdjust(ulong n) => vmexit_loop_wrmsr_zero(n, MsrTscAdjust);
    private static ulong AsmRdTscAdjust(ulong n) => vmexit_loop_rdmsr(n, MsrTscAdjust);
}
