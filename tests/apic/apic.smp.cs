using Kernel;

/// <summary>IPIs between CPUs: every AP in the run's mode, physical and broadcast destinations, NMIs; logical ones in apic.logical.cs.</summary>
internal static unsafe partial class TestKernel
{
    /// <summary>On an AP: bring its APIC into the kernel's mode and record what it sees.</summary>
    private static void ApSetup(void* arg)
    {
        int me = Smp.CurrentCpu;
        s_apInitOk.Value[me] = Apic.InitThisCpu() ? 1 : 0;
        s_apMode.Value[me] = (int)Apic.HardwareMode;
        s_apBsp.Value[me] = Apic.IsBsp ? 1 : 0;
        s_apId.Value[me] = Apic.Id;
        s_apLdr.Value[me] = Apic.Ldr;
        s_apCpuidId.Value[me] = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
        s_apLeafBId.Value[me] = HasLeafB() ? Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Edx : s_apCpuidId.Value[me];
    }

    private static string? TwoCpus() => Smp.CpuCount >= 2 ? null : "one CPU online: IPIs between CPUs need cpus >= 2";

    /// <summary>The `smp` row: every AP in the run's mode, then fixed, broadcast, logical, lowest-priority and NMI IPIs between CPUs.</summary>
    private static void CrossCpu()
    {
        int cpus = Smp.CpuCount;
        Cpu.DisableInterrupts();
        int last = cpus - 1;

        // Every AP into the kernel's APIC mode.
        bool setup = true;
        for (int c = 1; c <= last; c++) setup &= Smp.OnCpu(c, &ApSetup, null);
        if (!Report.Check(setup, "ap_setup_ran", "an AP did not run its APIC set-up")) return;
        bool initOk = true, modeOk = true, notBsp = true, idCpuid = true, idPerCpu = true, unique = true, ldrOk = true;
        s_apId.Value[0] = Apic.Id;
        for (int c = 1; c <= last; c++)
        {
            initOk &= s_apInitOk.Value[c] == 1;
            modeOk &= s_apMode.Value[c] == (int)s_mode;
            notBsp &= s_apBsp.Value[c] == 0;
            idCpuid &= s_mode == ApicMode.X2Apic ? s_apId.Value[c] == s_apLeafBId.Value[c] : s_apId.Value[c] == s_apCpuidId.Value[c];
            idPerCpu &= s_apId.Value[c] == Smp.ApicIdOf(c);
            for (int d = 0; d < c; d++) unique &= s_apId.Value[c] != s_apId.Value[d];
            if (s_mode == ApicMode.X2Apic)
            {
                uint id = s_apId.Value[c];
                ldrOk &= s_apLdr.Value[c] == (((id >> ApicRegisters.X2ApicClusterShift) << ApicRegisters.X2ApicLdrClusterShift)
                    | (1u << (int)(id & ApicRegisters.X2ApicLogicalIdMask)));
            }
        }
        Report.Check(initOk, "ap_init", "Apic.InitThisCpu failed on an AP");
        Report.Check(modeOk, "ap_mode", "an AP's APIC is not in the kernel's mode");
        Report.Check(notBsp, "ap_not_bsp", "an AP has IA32_APIC_BASE.BSP set");
        Report.Check(idCpuid, "ap_id_matches_cpuid", "an AP's APIC ID differs from its CPUID initial/x2APIC ID");
        Report.Check(idPerCpu, "ap_id_matches_startup", "an AP's APIC ID differs from what SMP start-up recorded");
        Report.Check(unique, "ids_unique", "two CPUs share an APIC ID");
        if (s_mode == ApicMode.X2Apic) Report.Check(ldrOk, "ap_ldr_from_id", "an AP's x2APIC LDR is not derived from its ID");

        // Fixed IPI by physical ID to each AP in turn: only that AP's handler runs, once.
        bool each = true, icrIdle = true, started = true;
        for (int c = 1; c <= last; c++)
        {
            ClearCounts();
            if (!ApReceivers.Start(c, c, ReceiverUs)) { started = false; ApReceivers.Stop(c, c); continue; }
            icrIdle &= Apic.SendFixed(s_apId.Value[c], VCross);
            fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, 1, false);
            for (int d = 0; d < cpus; d++) each &= s_hits.Value[d] == (d == c ? 1 : 0);
            ApReceivers.Stop(c, c);
        }
        Report.Check(started, "receivers_ready", "an AP never reported ready to receive");
        Report.Check(icrIdle, "icr_idle", "ICR delivery status stayed send-pending");
        Report.Check(each, "ipi_fixed_physical", "a fixed IPI to an AP's ID did not run exactly once on exactly that AP");

        // Shorthand all-excluding-self: every other CPU once, not this one.
        Broadcast("broadcast_all_excluding_self", 0, ApicRegisters.IcrAllExcludingSelf, cpus, false);
        // Shorthand all-including-self: every CPU once.
        Broadcast("broadcast_all_including_self", 0, ApicRegisters.IcrAllIncludingSelf, cpus, true);
        // Physical broadcast ID (0xFF / 0xFFFFFFFF): every CPU once.
        Broadcast("broadcast_physical_id", Apic.BroadcastDestination, ApicRegisters.IcrNoShorthand, cpus, true);

        LogicalDestination(cpus, last);

        // NMI by physical ID to each AP.
        bool nmiEach = true;
        for (int c = 1; c <= last; c++)
        {
            ClearCounts();
            if (!ApReceivers.Start(c, c, ReceiverUs)) { nmiEach = false; ApReceivers.Stop(c, c); continue; }
            Apic.SendIpi(s_apId.Value[c], 0, ApicRegisters.IcrNmi, ApicRegisters.IcrPhysical, ApicRegisters.IcrNoShorthand);
            fixed (PerCpuInts* nmis = &s_nmiHits) WaitHits(nmis, cpus, 1, false);
            for (int d = 0; d < cpus; d++) nmiEach &= s_nmiHits.Value[d] == (d == c ? 1 : 0);
            ApReceivers.Stop(c, c);
        }
        Report.Check(nmiEach, "nmi_to_other", "an NMI IPI to an AP's ID did not arrive exactly once on exactly that AP");

        // NMI to all-excluding-self (valid per SDM table 11-3).
        ClearCounts();
        if (ApReceivers.Start(1, last, ReceiverUs))
        {
            Apic.SendIpi(0, 0, ApicRegisters.IcrNmi, ApicRegisters.IcrPhysical, ApicRegisters.IcrAllExcludingSelf);
            fixed (PerCpuInts* nmis = &s_nmiHits) WaitHits(nmis, cpus, last, false);
            fixed (PerCpuInts* nmis = &s_nmiHits)
                if (!Report.Check(ExactlyOnce(nmis, cpus, false), "nmi_all_excluding_self",
                    "an NMI to all-excluding-self did not reach every other CPU exactly once"))
                    DeliveryCounts("nmi_all_excluding_self", nmis, cpus);
        }
        else Report.Check(false, "nmi_all_excluding_self", "an AP never reported ready to receive");
        ApReceivers.Stop(1, last);
    }

    private static void Broadcast(string name, uint destination, uint shorthand, int cpus, bool includeBsp)
    {
        int last = cpus - 1;
        ClearCounts();
        if (!ApReceivers.Start(1, last, ReceiverUs))
        {
            ApReceivers.Stop(1, last);
            Report.Check(false, name, "an AP never reported ready to receive");
            return;
        }
        Apic.SendIpi(destination, VCross, ApicRegisters.IcrFixed, ApicRegisters.IcrPhysical, shorthand);
        // The BSP listens too, so a wrong delivery to it is seen.
        fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, includeBsp ? cpus : last, true);
        ApReceivers.Stop(1, last);
        fixed (PerCpuInts* hits = &s_hits)
            if (!Report.Check(ExactlyOnce(hits, cpus, includeBsp), name, includeBsp
                ? "not every CPU got the broadcast exactly once"
                : "not every other CPU got the broadcast exactly once, or this CPU got it"))
                DeliveryCounts(name, hits, cpus);
    }
}
