using Kernel;

/// <summary>
/// KVM's paravirtual IPI (KVM_HC_SEND_IPI, offered when CPUID 0x40000001 bit 11 is set):
/// one hypercall sends a fixed IPI to a bitmap of APIC IDs and returns how many it
/// reached. First the call kvm-unit-tests' test_pv_ipi makes (all 32 low bits set, min
/// APIC ID 0xFFFFFFFF: nobody exists there, so 0), then deliveries that must arrive,
/// an absent APIC ID that must not count, and an ICR KVM must refuse.
///
/// The first hypercall runs on CPU 1 while CPU 0 watches with a TSC deadline: a host
/// whose hypercall never returns stops only that vCPU, and CPU 0 reports it and ends
/// the run instead of hanging with it.
///
/// Command line: apic=xapic|x2apic (default x2apic where offered); insn=vmcall|vmmcall
/// (default: the CPUID vendor's, VMMCALL on AMD, VMCALL otherwise).
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "pvipi";

    private const int Vector = 0xE1;
    private const ulong HypercallWaitUs = 2_000_000;    // a hypercall takes microseconds; this is a hang
    private const ulong DeliveryWaitUs = 1_000_000;
    private const ulong ReceiverLifetimeUs = 20_000_000;

    private struct Counts { public fixed int Value[PerCpu.MaxCpus]; }
    private static Counts s_received;
    private static long s_firstResult;

    public static void Run()
    {
        if (CommandLine.Has("insn")) KvmHypercall.UseVmmcall(CommandLine.Is("insn", "vmmcall"));
        Report.Info("pvipi.instruction", KvmHypercall.Instruction);
        if (!KvmPv.Present)
        {
            Report.Skip("pvipi.kvm", "no KVM signature at CPUID 0x40000000: not a KVM guest");
            return;
        }
        Report.InfoHex("pvipi.kvm_features", KvmPv.Features);
        if (!KvmHypercall.SendIpiOffered)
        {
            Report.Skip("pvipi.offered", "CPUID 0x40000001 bit 11 (KVM_FEATURE_PV_SEND_IPI) is clear");
            return;
        }
        if (Smp.CpuCount < 2)
        {
            Report.Skip("pvipi.cross_cpu", "one vCPU: the hypercall runs on a second CPU (runner: smp = 2)");
            return;
        }
        bool x2apic = !CommandLine.Is("apic", "xapic") && Apic.X2ApicSupported;
        Report.Info("pvipi.apic", x2apic ? "x2apic" : "xapic");
        if (!Report.Check(Apic.Init(x2apic ? ApicMode.X2Apic : ApicMode.XApic), "pvipi.apic_mode_set")) return;
        if (!Report.Check(Apic.InitOtherCpus(), "pvipi.target_apic_ready")) return;
        Idt.Set(Vector, &OnIpi);

        if (!FirstCallReturns()) Report.Finish();   // CPU 1 is stuck in the host: nothing else can run there
        Report.CheckEqual("pvipi.out_of_range_min_delivers_none", 0, (ulong)s_firstResult);

        uint self = Smp.ApicIdOf(0), target = Smp.ApicIdOf(1);
        uint icr = (uint)Vector | ApicRegisters.IcrFixed | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrTriggerEdge;
        if (!Report.Check(ApReceivers.Start(1, 1, ReceiverLifetimeUs), "pvipi.receiver_ready"))
        {
            ApReceivers.Stop(1, 1);
            return;
        }

        // Bit 0 with min = the target's APIC ID.
        int before = s_received.Value[1];
        Report.CheckEqual("pvipi.unicast.count", 1, (ulong)KvmHypercall.SendIpi(1, 0, target, icr));
        Report.Check(WaitReceived(1, before + 1), "pvipi.unicast.delivered", "CPU 1's handler never ran");

        // Both CPUs in one call, min 0 (APIC IDs below 64 here).
        if (self < KvmHypercall.BitmapBits && target < KvmHypercall.BitmapBits)
        {
            int beforeSelf = s_received.Value[0];
            before = s_received.Value[1];
            long both = KvmHypercall.SendIpi((1ul << (int)self) | (1ul << (int)target), 0, 0, icr);
            Report.CheckEqual("pvipi.two_cpus.count", 2, (ulong)both);
            Report.Check(WaitReceived(1, before + 1), "pvipi.two_cpus.delivered_to_target");
            fixed (int* mine = &s_received.Value[0])
                Report.Check(InterruptWindow.WaitCount(mine, beforeSelf + 1, DeliveryWaitUs, true),
                    "pvipi.two_cpus.delivered_to_self", "the sender's own handler never ran");
        }

        // An APIC ID no CPU has: the bit just above the highest one present.
        uint highest = self > target ? self : target;
        if (highest + 1 < KvmHypercall.BitmapBits)
            Report.CheckEqual("pvipi.absent_apic_id.count", 0, (ulong)KvmHypercall.SendIpi(1ul << (int)(highest + 1), 0, 0, icr));

        // Logical destination mode is not the hypercall's to take: -KVM_EINVAL, nothing sent.
        before = s_received.Value[1];
        long refused = KvmHypercall.SendIpi(1, 0, target, icr | ApicRegisters.IcrLogical);
        Report.CheckEqual("pvipi.logical_mode_refused", unchecked((ulong)KvmHypercall.EInval), (ulong)refused);
        Tsc.DelayMicroseconds(DeliveryWaitUs / 10);
        Report.CheckEqual("pvipi.logical_mode_not_delivered", (ulong)before, (ulong)s_received.Value[1]);

        ApReceivers.Stop(1, 1);
    }

    /// <summary>kvm-unit-tests' call on CPU 1, watched from here. False (reported) if it never returned.</summary>
    private static bool FirstCallReturns()
    {
        Report.Info("pvipi.first_call", "KVM_HC_SEND_IPI on CPU 1, watched by CPU 0");
        bool returned = KvmHypercall.SendIpiReturnsOn(1, HypercallWaitUs, out s_firstResult);
        return Report.Check(returned, "pvipi.hypercall_returns",
            "KVM_HC_SEND_IPI (pvipi.instruction says by which instruction) on CPU 1 did not return within 2 s: that vCPU is stuck in the host");
    }

    private static bool WaitReceived(int cpu, int count)
    {
        ulong end = Tsc.Deadline(DeliveryWaitUs);
        while (s_received.Value[cpu] < count)
        {
            if (Tsc.Passed(end)) return false;
            Cpu.Pause();
        }
        return true;
    }

    private static void OnIpi(InterruptFrame* frame)
    {
        Apic.Eoi();
        s_received.Value[Smp.CurrentCpu]++;
    }
}
