using Kernel;

/// <summary>Register semantics common to both modes, and the xAPIC MMIO page (SDM 11.4.1).</summary>
internal static unsafe partial class TestKernel
{
    /// <summary>The `reg` row: TPR, PPR, SVR, LVT, divide and count registers in either mode.</summary>
    private static void RegisterSemantics()
    {
        // TPR: every 8-bit value reads back.
        int firstBad = -1;
        uint badValue = 0;
        for (uint v = 0; v <= ApicRegisters.PriorityMask; v++)
        {
            Apic.Tpr = v;
            uint got = Apic.Tpr;
            if (got != v && firstBad < 0) { firstBad = (int)v; badValue = got; }
        }
        Apic.Tpr = 0;
        if (firstBad < 0) Report.Check(true, "tpr_rw");
        else Report.CheckEqual("tpr_rw", (ulong)firstBad, badValue);

        // With nothing in service PPR = TPR (SDM 11.8.3.1).
        firstBad = -1;
        for (uint v = 0; v <= ApicRegisters.PriorityMask; v += 0x13)
        {
            Apic.Tpr = v;
            uint got = Apic.Ppr;
            if (got != v && firstBad < 0) { firstBad = (int)v; badValue = got; }
        }
        Apic.Tpr = 0;
        if (firstBad < 0) Report.Check(true, "ppr_equals_tpr_when_idle");
        else Report.CheckEqual("ppr_equals_tpr_when_idle", (ulong)firstBad, badValue);

        // SVR vector bits are writable (all 8 on Pentium 4 and later).
        const uint probeSvr = ApicRegisters.SvrEnable | SvrVectorProbe;
        Apic.SvrRegister = probeSvr;
        Report.CheckEqual("svr_vector_rw", probeSvr, Apic.SvrRegister & (ApicRegisters.SvrEnable | ApicRegisters.SvrVectorMask));
        Apic.SvrRegister = ApicRegisters.SvrEnable | Apic.SpuriousVectorDefault;

        // LVT entries: vector and mask read back; delivery status is read-only and idle.
        bool lvtOk = true;
        int lvtCount = 0;
        int* lvts = stackalloc int[7];
        lvts[lvtCount++] = ApicRegisters.LvtTimer;
        lvts[lvtCount++] = ApicRegisters.LvtLint0;
        lvts[lvtCount++] = ApicRegisters.LvtLint1;
        lvts[lvtCount++] = ApicRegisters.LvtError;
        uint maxLvt = Apic.MaxLvt;
        if (maxLvt >= ApicRegisters.MaxLvtWithPerf) lvts[lvtCount++] = ApicRegisters.LvtPerf;
        if (maxLvt >= ApicRegisters.MaxLvtWithThermal) lvts[lvtCount++] = ApicRegisters.LvtThermal;
        if (maxLvt >= ApicRegisters.MaxLvtWithCmci) lvts[lvtCount++] = ApicRegisters.LvtCmci;
        uint lvtWrote = 0, lvtRead = 0;
        for (int i = 0; i < lvtCount; i++)
        {
            uint value = ApicRegisters.LvtMasked | (uint)(VLvtProbeBase + i);
            Apic.WriteLvt(lvts[i], value);
            uint got = Apic.ReadLvt(lvts[i]);
            if (got != value && lvtOk) { lvtOk = false; lvtWrote = value; lvtRead = got; }
        }
        if (lvtOk) Report.Check(true, "lvt_rw");
        else Report.CheckEqual("lvt_rw", lvtWrote, lvtRead);

        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.LvtMasked | ApicRegisters.TimerPeriodic | VTimer);
        Report.CheckEqual("lvt_timer_periodic_mode_rw", ApicRegisters.TimerPeriodic, Apic.TimerMode);
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.LvtMasked | ApicRegisters.TimerOneShot | VTimer);
        Report.CheckEqual("lvt_timer_oneshot_mode_rw", ApicRegisters.TimerOneShot, Apic.TimerMode);

        // Divide configuration: bits 0, 1 and 3 (SDM fig. 11-10).
        bool divideOk = true;
        uint divWrote = 0, divRead = 0;
        for (uint d = 0; d <= ApicRegisters.DivideMask; d++)
        {
            if ((d & ~ApicRegisters.DivideMask) != 0) continue;
            Apic.TimerDivide = d;
            uint got = Apic.TimerDivide;
            if (got != d && divideOk) { divideOk = false; divWrote = d; divRead = got; }
        }
        if (divideOk) Report.Check(true, "timer_divide_rw");
        else Report.CheckEqual("timer_divide_rw", divWrote, divRead);

        // Initial count is read/write (timer masked, so the run is harmless); 0 stops it.
        const uint probeCount = 0x12345678;
        Apic.TimerInitialCount = probeCount;
        Report.CheckEqual("timer_initial_count_rw", probeCount, Apic.TimerInitialCount);
        Apic.TimerInitialCount = 0;
        Report.CheckEqual("timer_zero_count_stops", 0, Apic.TimerCurrentCount);

        Report.CheckEqual("esr_clear", 0, Apic.ReadErrors());

        // Software disable (SVR bit 8 = 0) masks every LVT and keeps them masked (SDM 11.4.7.2).
        Apic.WriteLvt(ApicRegisters.LvtError, Apic.ErrorVectorDefault);
        Apic.SoftwareEnabled = false;
        bool allMasked = true;
        for (int i = 0; i < lvtCount; i++) allMasked &= Apic.IsLvtMasked(lvts[i]);
        Report.Check(allMasked, "svr_disable_masks_lvts", "an LVT entry reads unmasked while the APIC is software-disabled");
        Apic.WriteLvt(ApicRegisters.LvtError, Apic.ErrorVectorDefault);
        Report.Check(Apic.IsLvtMasked(ApicRegisters.LvtError), "lvt_unmask_ignored_while_disabled",
            "LVT Error was unmasked while the APIC is software-disabled");
        Apic.SoftwareEnabled = true;
        Report.Check(Apic.IsLvtMasked(ApicRegisters.LvtError), "lvt_stays_masked_after_enable",
            "LVT Error came back unmasked when the APIC was software-enabled again");
        Report.Check(Apic.SoftwareEnabled, "svr_enable_rw", "SVR bit 8 did not read back 1");

        Apic.InitThisCpu();
    }

    /// <summary>The `xapic` or `x2apic` row: the registers of the run's mode.</summary>
    private static void ModeRegisters()
    {
        if (s_mode == ApicMode.XApic) XApicRegisters();
        else X2ApicRegisters();
    }

    private static void XApicRegisters()
    {
        // LDR: logical ID in bits 31:24, the rest reserved (SDM fig. 11-13).
        const uint ldrProbe = LdrLogicalIdProbe << ApicRegisters.XApicLdrShift;
        uint ldr0 = Apic.Ldr;
        Apic.Write(ApicRegisters.Ldr, ldrProbe);
        Report.CheckEqual("ldr_rw", ldrProbe, Apic.Ldr);
        Apic.Write(ApicRegisters.Ldr, ldr0);

        // DFR: flat model after reset; bits 27:0 reserved, read as ones (SDM fig. 11-14).
        Report.CheckEqual("dfr_flat_after_reset", ApicRegisters.DfrFlat, Apic.Read(ApicRegisters.Dfr));
        Apic.Write(ApicRegisters.Dfr, 0);
        Report.CheckEqual("dfr_cluster_reserved_ones", ApicRegisters.DfrCluster, Apic.Read(ApicRegisters.Dfr));
        Apic.Write(ApicRegisters.Dfr, ApicRegisters.DfrFlat);

        // Read-only registers ignore writes.
        uint version = Apic.VersionRegister;
        Apic.Write(ApicRegisters.Version, ~version);
        Report.CheckEqual("version_read_only", version, Apic.VersionRegister);
        Apic.Write(ApicRegisters.Ppr, ApicRegisters.PriorityMask);
        Report.CheckEqual("ppr_read_only", 0, Apic.Ppr);

        // LVT delivery status (bit 12) is read-only.
        Apic.WriteLvt(ApicRegisters.LvtError, ApicRegisters.LvtMasked | ApicRegisters.LvtDeliveryStatus | Apic.ErrorVectorDefault);
        Report.CheckEqual("lvt_delivery_status_read_only", 0, Apic.ReadLvt(ApicRegisters.LvtError) & ApicRegisters.LvtDeliveryStatus);
        Apic.WriteLvt(ApicRegisters.LvtError, ApicRegisters.LvtMasked | Apic.ErrorVectorDefault);

        // TPR bits 31:8 are reserved: a write of all ones reads back 0xFF.
        Apic.Write(ApicRegisters.Tpr, AllOnes);
        Report.CheckEqual("tpr_reserved_bits_read_zero", ApicRegisters.PriorityMask, Apic.Read(ApicRegisters.Tpr));
        Apic.Tpr = 0;
    }
}
