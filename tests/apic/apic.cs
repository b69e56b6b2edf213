using Kernel;

/// <summary>
/// The local APIC from inside the guest (Intel SDM vol. 3A ch. 11), in the mode the
/// command line names (`apic=xapic` or `apic=x2apic`): boot state, ID and version,
/// register semantics, self-IPIs, ISR/IRR/EOI, priority (TPR, PPR, nesting), NMI,
/// the timer in one-shot, periodic and TSC-deadline modes, IPIs between CPUs, and
/// last the IA32_APIC_BASE mode transitions. Modelled on what kvm-unit-tests'
/// x86/apic.c checks; every wait is TSC-bounded.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "apic";

    // ---- vectors (class = vector >> 4) ----
    private const int VSelf = 0x41;
    private const int VLow = 0x50, VLowSameClassLow = 0x51, VLowSameClassHigh = 0x5E;
    private const int VTprClass6 = 0x6F, VMid = 0x70, VHigh = 0xA0;
    private const int VNestLate = 0x42, VNestOuter = 0x60, VNestInner = 0x90;
    private const int VPprProbe = 0x80;
    private const int VSink = 0x44;
    private const int VCross = 0xC0;
    private const int VWake = 0xD0, VParkTimer = 0xD1;
    private const int VTimer = 0xE0;
    private const int VLvtProbeBase = 0x30;

    // ---- priorities used by the TPR/PPR checks ----
    private const uint TprClass6 = 0x60;
    private const uint TprAboveProbe = 0x95, TprSameClassAsProbe = 0x85, TprBelowProbe = 0x35;

    // ---- probe values for register read/write checks ----
    private const uint SvrVectorProbe = 0xEF;
    private const uint LdrLogicalIdProbe = 0xA5;
    private const uint AllOnes = 0xFFFFFFFF;
    private const uint TscDeadlineModeCountProbe = 0x1000;
    /// <summary>How far away the "never fires" TSC deadline is, in multiples of DeadlineUs.</summary>
    private const ulong FarDeadlineSpans = 1_000_000;
    /// <summary>Lowest reserved bit of a 64-bit x2APIC MSR whose register is 32 bits wide.</summary>
    private const ulong X2ApicBit32 = 1ul << 32;
    /// <summary>Lowest reserved bit of TPR and of SELF IPI (bits 31:8, SDM 11.12.1.2).</summary>
    private const ulong Bit8 = 1ul << 8;
    /// <summary>ICR bit 13 is reserved in x2APIC mode (SDM fig. 11-28).</summary>
    private const uint X2ApicIcrReservedBit13 = 1u << 13;
    /// <summary>IA32_APIC_BASE bits 0 and 9 are reserved (SDM fig. 11-5).</summary>
    private const ulong ApicBaseReservedBit0 = 1ul << 0, ApicBaseReservedBit9 = 1ul << 9;

    // ---- time budgets (microseconds) ----
    private const ulong WaitUs = 1_000_000;         // something that must happen
    private const ulong QuietUs = 20_000;          // a window in which nothing may happen
    private const ulong ReceiverUs = 1_500_000;    // an AP waiting for IPIs (below Smp.WaitLimitUs)
    private const ulong CalibrationUs = 50_000;
    /// <summary>Longest an AP stays parked; the BSP normally wakes it much sooner.</summary>
    private const ulong ParkUs = 10_000_000;
    /// <summary>A parked AP's own one-shot backstop wake-up, in APIC timer ticks (divide by 1).</summary>
    private const uint ParkTimerTicks = 50_000_000;
    private const ulong OneShotUs = 20_000;
    private const ulong PeriodUs = 10_000;
    private const int PeriodicTicks = 10;
    /// <summary>One-shot and TSC-deadline runs per test: lateness is judged by the median.</summary>
    private const int TimerRepeats = 5;
    private const ulong DeadlineUs = 10_000;
    /// <summary>
    /// How late a timer interrupt may arrive (beyond its due time) and still pass:
    /// generous, as injection latency is the hypervisor's business, not the APIC's
    /// semantics; the measured lateness is reported as a metric.
    /// </summary>
    private const ulong TimerSlackUs = 5_000;
    /// <summary>
    /// Timer interrupts may not arrive earlier than the calibration bounds allow, less this
    /// part (1/50 = 2%) of one interval: the host's timer clock and the TSC are not one clock.
    /// </summary>
    private const ulong EarlyToleranceDivisor = 50;
    private const ulong PerThousand = 1000, PerMillion = 1_000_000;
    private const uint DivideCheckDivisor = 16;
    private const ulong DivideRatioPercentTolerance = 5;
    private const ulong Percent = 100;

    // ---- event log of the BSP's interrupt handlers ----
    private const int LogSize = 32;
    private struct EventLog
    {
        public fixed int Vector[LogSize];
        public fixed ulong Tsc[LogSize];
        public fixed uint Ppr[LogSize];
        public fixed int InService[LogSize];
        public fixed int Requested[LogSize];
        public fixed int Level[LogSize];
    }
    private static EventLog s_log;
    private static int s_logCount;

    // ---- nested-interrupt probe ----
    private struct NestState
    {
        public int OuterInService, InnerSeenInside, LateSeenInside, LateInIrr, OuterInServiceAfterInner, OuterInServiceAfterEoi;
        public int InnerBothInService, InnerInServiceAfterEoi, OuterStillInService, LateAfterOuter;
        public uint InnerPpr;
        public int OuterCount, InnerCount, LateCount;
    }
    private static NestState s_nest;

    // ---- PPR probe ----
    private struct PprState { public uint Idle, TprAbove, TprSame, TprBelow; public int Count; }
    private static PprState s_ppr;

    // ---- timer ----
    private const int TimerLogSize = 64;
    /// <summary>Per timer interrupt: its TSC and this CPU's steal time (ns) at that moment.</summary>
    private struct TimerLog { public fixed ulong Tsc[TimerLogSize]; public fixed ulong Steal[TimerLogSize]; }
    private static TimerLog s_timerLog;
    private static int s_timerCount;

    // ---- cross-CPU ----
    private struct PerCpuInts { public fixed int Value[PerCpu.MaxCpus]; }
    private struct PerCpuUints { public fixed uint Value[PerCpu.MaxCpus]; }
    private static PerCpuInts s_hits, s_nmiHits, s_parked, s_apInitOk, s_apMode, s_apBsp;
    private static PerCpuUints s_apId, s_apCpuidId, s_apLdr, s_apLeafBId;
    private static volatile int s_unpark;
    private static int s_nmiCount;

    private static ApicMode s_mode;

    public static void Run()
    {
        s_mode = ApicMode.XApic;
        if (CommandLine.Is("apic", "x2apic")) s_mode = ApicMode.X2Apic;
        else if (CommandLine.Has("apic") && !CommandLine.Is("apic", "xapic"))
            Report.Check(false, "apic.argument", "apic= must be xapic or x2apic; running xapic");
        Report.Info("apic.mode", s_mode == ApicMode.X2Apic ? "x2apic" : "xapic");
        if (s_mode == ApicMode.X2Apic && !Apic.X2ApicSupported)
        {
            // The whole variant is about x2APIC: nothing of it can run (QEMU 7.2 TCG, for one).
            Report.Skip("apic.x2apic", "CPUID.1:ECX.x2APIC[bit 21] is clear: this virtual CPU has no x2APIC");
            return;
        }
        if (!BootState()) return;
        if (!ChooseMode()) return;
        IdAndVersion();
        RegisterSemantics();
        if (s_mode == ApicMode.XApic) XApicRegisters();
        else X2ApicRegisters();
        InstallHandlers();
        // Other CPUs sleep (HLT) while the BSP alone runs: a spinning vCPU would take a
        // host core away from the one being timed.
        bool parked = ParkAps();
        SelfIpi();
        PendingAndPriority();
        TprMasking();
        PprProbe();
        Nested();
        Nmi();
        Timer();
        if (parked) UnparkAps();
        CrossCpu();
        ModeTransitions();
        Report.Metric("apic.spurious_interrupts", Apic.SpuriousCount, "count");
    }

    // =====================================================================
    // Boot state and mode choice
    // =====================================================================

    private static bool BootState()
    {
        if (!Report.Check(Apic.Present, "apic.cpuid.apic", "CPUID.1:EDX.APIC[bit 9] is clear")) return false;
        ulong b = Apic.ReadBase();
        Report.InfoHex("apic.boot.apic_base", b);
        Report.Check((b & ApicBaseMsr.Enable) != 0, "apic.boot.enabled", "IA32_APIC_BASE.EN is clear after reset");
        Report.Check((b & ApicBaseMsr.Bsp) != 0, "apic.boot.bsp", "IA32_APIC_BASE.BSP is clear on the boot processor");
        Report.CheckEqual("apic.boot.xapic_mode", (ulong)ApicMode.XApic, (ulong)Apic.ModeOf(b));
        Report.CheckEqual("apic.boot.base_address", ApicRegisters.DefaultBase, b & ApicBaseMsr.AddressMask);
        Report.Metric("apic.cpuid.x2apic", Apic.X2ApicSupported ? 1 : 0, "bool");
        Report.Metric("apic.cpuid.tsc_deadline", Apic.TscDeadlineSupported ? 1 : 0, "bool");
        return (b & ApicBaseMsr.Enable) != 0;
    }

    private static bool ChooseMode()
    {
        Cpu.DisableInterrupts();
        if (!Report.Check(Apic.Init(s_mode), "apic.init", "could not put the APIC into the requested mode")) return false;
        Report.CheckEqual("apic.init.hardware_mode", (ulong)s_mode, (ulong)Apic.HardwareMode);
        Report.Check(Apic.SoftwareEnabled, "apic.init.software_enabled", "SVR bit 8 reads 0 after being set");
        Report.CheckEqual("apic.init.spurious_vector", Apic.SpuriousVectorDefault, (ulong)Apic.SpuriousVector);
        return true;
    }

    private static void IdAndVersion()
    {
        uint initialId = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
        uint id = Apic.Id;
        Report.Metric("apic.id", id, "count");
        Report.CheckEqual("apic.id.matches_cpuid_initial_id", initialId, id & ApicRegisters.XApicIdMask);
        Report.CheckEqual("apic.id.matches_percpu", PerCpu.Current->ApicId, id);
        if (s_mode == ApicMode.XApic)
        {
            uint raw = Apic.Read(ApicRegisters.Id);
            Report.CheckEqual("apic.id.xapic_bits_23_0_zero", 0, raw & ~(ApicRegisters.XApicIdMask << ApicRegisters.XApicIdShift));
        }
        else if (HasLeafB())
            Report.CheckEqual("apic.id.x2apic_matches_cpuid_leaf_b", Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Edx, id);
        else
            Report.Skip("apic.id.x2apic_matches_cpuid_leaf_b", "CPUID leaf 0xB not offered");

        uint version = Apic.Version, maxLvt = Apic.MaxLvt;
        Report.Metric("apic.version", version, "hex");
        Report.Metric("apic.version_register", Apic.VersionRegister, "hex");
        Report.Metric("apic.max_lvt", maxLvt, "count");
        Report.CheckRange("apic.version.integrated", version, ApicRegisters.IntegratedVersionMin, ApicRegisters.IntegratedVersionMax);
        // Timer, LINT0, LINT1, error at least (max LVT 3); thermal, perf and CMCI make 6.
        Report.CheckRange("apic.version.max_lvt", maxLvt, ApicRegisters.MaxLvtWithPerf - 1, ApicRegisters.MaxLvtWithCmci);
    }

    private static bool HasLeafB() =>
        Cpu.Cpuid(CpuidLeaves.Vendor).Eax >= CpuidLeaves.ExtendedTopology && Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Ebx != 0;

    // =====================================================================
    // Register semantics
    // =====================================================================

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
        if (firstBad < 0) Report.Check(true, "apic.reg.tpr_rw");
        else Report.CheckEqual("apic.reg.tpr_rw", (ulong)firstBad, badValue);

        // With nothing in service PPR = TPR (SDM 11.8.3.1).
        firstBad = -1;
        for (uint v = 0; v <= ApicRegisters.PriorityMask; v += 0x13)
        {
            Apic.Tpr = v;
            uint got = Apic.Ppr;
            if (got != v && firstBad < 0) { firstBad = (int)v; badValue = got; }
        }
        Apic.Tpr = 0;
        if (firstBad < 0) Report.Check(true, "apic.reg.ppr_equals_tpr_when_idle");
        else Report.CheckEqual("apic.reg.ppr_equals_tpr_when_idle", (ulong)firstBad, badValue);

        // SVR vector bits are writable (all 8 on Pentium 4 and later).
        const uint probeSvr = ApicRegisters.SvrEnable | SvrVectorProbe;
        Apic.SvrRegister = probeSvr;
        Report.CheckEqual("apic.reg.svr_vector_rw", probeSvr, Apic.SvrRegister & (ApicRegisters.SvrEnable | ApicRegisters.SvrVectorMask));
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
        if (lvtOk) Report.Check(true, "apic.reg.lvt_rw");
        else Report.CheckEqual("apic.reg.lvt_rw", lvtWrote, lvtRead);

        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.LvtMasked | ApicRegisters.TimerPeriodic | VTimer);
        Report.CheckEqual("apic.reg.lvt_timer_periodic_mode_rw", ApicRegisters.TimerPeriodic, Apic.TimerMode);
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.LvtMasked | ApicRegisters.TimerOneShot | VTimer);
        Report.CheckEqual("apic.reg.lvt_timer_oneshot_mode_rw", ApicRegisters.TimerOneShot, Apic.TimerMode);

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
        if (divideOk) Report.Check(true, "apic.reg.timer_divide_rw");
        else Report.CheckEqual("apic.reg.timer_divide_rw", divWrote, divRead);

        // Initial count is read/write (timer masked, so the run is harmless); 0 stops it.
        const uint probeCount = 0x12345678;
        Apic.TimerInitialCount = probeCount;
        Report.CheckEqual("apic.reg.timer_initial_count_rw", probeCount, Apic.TimerInitialCount);
        Apic.TimerInitialCount = 0;
        Report.CheckEqual("apic.reg.timer_zero_count_stops", 0, Apic.TimerCurrentCount);

        Report.CheckEqual("apic.reg.esr_clear", 0, Apic.ReadErrors());

        // Software disable (SVR bit 8 = 0) masks every LVT and keeps them masked (SDM 11.4.7.2).
        Apic.WriteLvt(ApicRegisters.LvtError, Apic.ErrorVectorDefault);
        Apic.SoftwareEnabled = false;
        bool allMasked = true;
        for (int i = 0; i < lvtCount; i++) allMasked &= Apic.IsLvtMasked(lvts[i]);
        Report.Check(allMasked, "apic.reg.svr_disable_masks_lvts", "an LVT entry reads unmasked while the APIC is software-disabled");
        Apic.WriteLvt(ApicRegisters.LvtError, Apic.ErrorVectorDefault);
        Report.Check(Apic.IsLvtMasked(ApicRegisters.LvtError), "apic.reg.lvt_unmask_ignored_while_disabled",
            "LVT Error was unmasked while the APIC is software-disabled");
        Apic.SoftwareEnabled = true;
        Report.Check(Apic.IsLvtMasked(ApicRegisters.LvtError), "apic.reg.lvt_stays_masked_after_enable",
            "LVT Error came back unmasked when the APIC was software-enabled again");
        Report.Check(Apic.SoftwareEnabled, "apic.reg.svr_enable_rw", "SVR bit 8 did not read back 1");

        Apic.InitThisCpu();
    }

    private static void XApicRegisters()
    {
        // LDR: logical ID in bits 31:24, the rest reserved (SDM fig. 11-13).
        const uint ldrProbe = LdrLogicalIdProbe << ApicRegisters.XApicLdrShift;
        uint ldr0 = Apic.Ldr;
        Apic.Write(ApicRegisters.Ldr, ldrProbe);
        Report.CheckEqual("apic.xapic.ldr_rw", ldrProbe, Apic.Ldr);
        Apic.Write(ApicRegisters.Ldr, ldr0);

        // DFR: flat model after reset; bits 27:0 reserved, read as ones (SDM fig. 11-14).
        Report.CheckEqual("apic.xapic.dfr_flat_after_reset", ApicRegisters.DfrFlat, Apic.Read(ApicRegisters.Dfr));
        Apic.Write(ApicRegisters.Dfr, 0);
        Report.CheckEqual("apic.xapic.dfr_cluster_reserved_ones", ApicRegisters.DfrCluster, Apic.Read(ApicRegisters.Dfr));
        Apic.Write(ApicRegisters.Dfr, ApicRegisters.DfrFlat);

        // Read-only registers ignore writes.
        uint version = Apic.VersionRegister;
        Apic.Write(ApicRegisters.Version, ~version);
        Report.CheckEqual("apic.xapic.version_read_only", version, Apic.VersionRegister);
        Apic.Write(ApicRegisters.Ppr, ApicRegisters.PriorityMask);
        Report.CheckEqual("apic.xapic.ppr_read_only", 0, Apic.Ppr);

        // LVT delivery status (bit 12) is read-only.
        Apic.WriteLvt(ApicRegisters.LvtError, ApicRegisters.LvtMasked | ApicRegisters.LvtDeliveryStatus | Apic.ErrorVectorDefault);
        Report.CheckEqual("apic.xapic.lvt_delivery_status_read_only", 0, Apic.ReadLvt(ApicRegisters.LvtError) & ApicRegisters.LvtDeliveryStatus);
        Apic.WriteLvt(ApicRegisters.LvtError, ApicRegisters.LvtMasked | Apic.ErrorVectorDefault);

        // TPR bits 31:8 are reserved: a write of all ones reads back 0xFF.
        Apic.Write(ApicRegisters.Tpr, AllOnes);
        Report.CheckEqual("apic.xapic.tpr_reserved_bits_read_zero", ApicRegisters.PriorityMask, Apic.Read(ApicRegisters.Tpr));
        Apic.Tpr = 0;
    }

    private static void X2ApicRegisters()
    {
        // Logical ID is derived from the x2APIC ID and read-only (SDM 11.12.10.2).
        uint id = Apic.Id;
        uint expectLdr = ((id >> ApicRegisters.X2ApicClusterShift) << ApicRegisters.X2ApicLdrClusterShift)
            | (1u << (int)(id & ApicRegisters.X2ApicLogicalIdMask));
        Report.CheckEqual("apic.x2apic.ldr_from_id", expectLdr, Apic.Ldr);

        // Writes to read-only registers #GP (SDM 11.12.1.2, table 11-6).
        ExpectWriteGp("apic.x2apic.write_gp.id", ApicRegisters.Id, 0);
        ExpectWriteGp("apic.x2apic.write_gp.version", ApicRegisters.Version, 0);
        ExpectWriteGp("apic.x2apic.write_gp.ppr", ApicRegisters.Ppr, 0);
        ExpectWriteGp("apic.x2apic.write_gp.ldr", ApicRegisters.Ldr, 0);
        ExpectWriteGp("apic.x2apic.write_gp.isr", ApicRegisters.Isr, 0);
        ExpectWriteGp("apic.x2apic.write_gp.tmr", ApicRegisters.Tmr, 0);
        ExpectWriteGp("apic.x2apic.write_gp.irr", ApicRegisters.Irr, 0);
        ExpectWriteGp("apic.x2apic.write_gp.timer_current_count", ApicRegisters.TimerCurrentCount, 0);
        // Reads of write-only registers #GP.
        ExpectReadGp("apic.x2apic.read_gp.eoi", ApicRegisters.Eoi);
        ExpectReadGp("apic.x2apic.read_gp.self_ipi", ApicRegisters.SelfIpi);
        // Registers that do not exist in x2APIC mode #GP either way.
        ExpectReadGp("apic.x2apic.read_gp.dfr", ApicRegisters.Dfr);
        ExpectReadGp("apic.x2apic.read_gp.icr_high", ApicRegisters.IcrHigh);
        ExpectReadGp("apic.x2apic.read_gp.apr", ApicRegisters.Apr);
        ExpectWriteGp("apic.x2apic.write_gp.dfr", ApicRegisters.Dfr, ApicRegisters.DfrFlat);

        // Non-zero writes to reserved bits #GP (SDM 11.12.1.3 "Reserved Bit Checking").
        ExpectWriteGp("apic.x2apic.reserved_gp.tpr_bits_63_32", ApicRegisters.Tpr, X2ApicBit32);
        ExpectWriteGp("apic.x2apic.reserved_gp.tpr_bits_31_8", ApicRegisters.Tpr, Bit8);
        Apic.Tpr = 0;
        ExpectWriteGp("apic.x2apic.reserved_gp.svr_bits_63_32", ApicRegisters.Svr, X2ApicBit32 | ApicRegisters.SvrEnable | Apic.SpuriousVectorDefault);
        // ESR must be written with 0 in x2APIC mode (SDM 11.12.1.2 table 11-6 note).
        ExpectWriteGp("apic.x2apic.reserved_gp.esr_nonzero", ApicRegisters.Esr, 1);
        // A non-zero EOI write #GPs (SDM 11.12.1.2, table 11-6: EOI "WO", value 0).
        ExpectWriteGp("apic.x2apic.reserved_gp.eoi_nonzero", ApicRegisters.Eoi, 1);
        // SELF IPI bits 31:8 are reserved. If the write is taken the IPI lands on VSink (absorbed).
        Idt.Set(VSink, &Sink);
        ExpectWriteGp("apic.x2apic.reserved_gp.self_ipi_bits_31_8", ApicRegisters.SelfIpi, Bit8 | VSink);
        InterruptWindow.Open(QuietUs);
        // ICR bits 17:16, 13 and 31:20 are reserved in x2APIC (SDM fig. 11-28).
        ExpectWriteGp("apic.x2apic.reserved_gp.icr_bit_13", ApicRegisters.IcrLow,
            VSink | ApicRegisters.IcrSelf | ApicRegisters.IcrLevelAssert | X2ApicIcrReservedBit13);
        InterruptWindow.Open(QuietUs);
        Apic.SvrRegister = ApicRegisters.SvrEnable | Apic.SpuriousVectorDefault;
        Apic.ClearErrors();
    }

    private static void ExpectWriteGp(string name, int offset, ulong value) =>
        Report.CheckEqual(name, Exceptions.GP, (ulong)(uint)X2Apic.WriteSafe(offset, value));

    private static void ExpectReadGp(string name, int offset)
    {
        ulong ignored;
        Report.CheckEqual(name, Exceptions.GP, (ulong)(uint)X2Apic.ReadSafe(offset, &ignored));
    }

    private static void Sink(InterruptFrame* frame) => Apic.Eoi();

    // =====================================================================
    // Interrupt delivery on the BSP
    // =====================================================================

    private static void InstallHandlers()
    {
        Idt.Set(VSelf, &Record);
        Idt.Set(VLow, &Record);
        Idt.Set(VLowSameClassLow, &Record);
        Idt.Set(VLowSameClassHigh, &Record);
        Idt.Set(VTprClass6, &Record);
        Idt.Set(VMid, &Record);
        Idt.Set(VHigh, &Record);
        Idt.Set(VSink, &Sink);
        Idt.Set(VPprProbe, &OnPprProbe);
        Idt.Set(VNestOuter, &OnNestOuter);
        Idt.Set(VNestInner, &OnNestInner);
        Idt.Set(VNestLate, &OnNestLate);
        Idt.Set(VTimer, &OnTimer);
        Idt.Set(VCross, &OnCross);
        Idt.Set(VWake, &Sink);
        Idt.Set(VParkTimer, &Sink);
        Idt.Set(Exceptions.NMI, &OnNmi);
    }

    /// <summary>Logs vector, TSC, PPR and the vector's ISR/IRR/TMR bits as seen inside the handler, then EOIs.</summary>
    private static void Record(InterruptFrame* frame)
    {
        ulong tsc = Cpu.Rdtsc();
        int v = (int)frame->Vector;
        int i = s_logCount;
        if (i < LogSize)
        {
            s_log.Vector[i] = v;
            s_log.Tsc[i] = tsc;
            s_log.Ppr[i] = Apic.Ppr;
            s_log.InService[i] = Apic.IsInService(v) ? 1 : 0;
            s_log.Requested[i] = Apic.IsRequested(v) ? 1 : 0;
            s_log.Level[i] = Apic.IsLevelTriggered(v) ? 1 : 0;
        }
        s_logCount = i + 1;
        Apic.Eoi();
    }

    private static void ResetLog() => s_logCount = 0;

    /// <summary>Opens interrupts until the log holds <paramref name="n"/> entries or the wait expires.</summary>
    private static bool WaitLog(int n)
    {
        fixed (int* count = &s_logCount) return InterruptWindow.WaitCount(count, n, WaitUs, true);
    }

    private static void SelfIpi()
    {
        Cpu.DisableInterrupts();
        ResetLog();
        Report.Check(Apic.SelfIpi(VSelf), "apic.ipi.self_icr_idle", "ICR delivery status stayed send-pending");
        if (Report.Check(WaitLog(1), "apic.ipi.self_delivered", "the self-IPI never arrived"))
        {
            Report.CheckEqual("apic.ipi.self_vector", VSelf, (ulong)s_log.Vector[0]);
            Report.Check(s_log.InService[0] == 1, "apic.irq.isr_set_in_handler", "ISR bit of the vector being handled is clear");
            Report.Check(s_log.Requested[0] == 0, "apic.irq.irr_clear_in_handler", "IRR bit of the vector being handled is still set");
            Report.Check(s_log.Level[0] == 0, "apic.irq.tmr_clear_for_edge", "TMR bit set for an edge-triggered IPI");
            Report.CheckEqual("apic.irq.ppr_is_isrv_class_in_handler", VSelf & ApicRegisters.PriorityClassMask, s_log.Ppr[0]);
        }
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("apic.ipi.self_once", 1, (ulong)s_logCount);
        Report.Check(!Apic.IsInService(VSelf), "apic.irq.isr_clear_after_eoi", "ISR bit still set after EOI");
        Report.CheckEqual("apic.irq.isr_empty", unchecked((ulong)-1), (ulong)Apic.HighestInService());

        // The same with the destination being this APIC's own ID (no shorthand).
        ResetLog();
        Apic.SendFixed(Apic.Id, VMid);
        Report.Check(WaitLog(1) && s_log.Vector[0] == VMid, "apic.ipi.self_by_id", "a fixed IPI to this APIC's own ID never arrived");

        // ICR shorthand "self" (the x2APIC case: the xAPIC SelfIpi already used it).
        if (s_mode == ApicMode.X2Apic)
        {
            ResetLog();
            Apic.SendIpi(0, VMid, ApicRegisters.IcrFixed, ApicRegisters.IcrPhysical, ApicRegisters.IcrSelf);
            Report.Check(WaitLog(1) && s_log.Vector[0] == VMid, "apic.ipi.self_shorthand", "an ICR self-shorthand IPI never arrived");
        }
        Report.CheckEqual("apic.ipi.esr_clear_after_ipis", 0, Apic.ReadErrors());
    }

    private static void PendingAndPriority()
    {
        Cpu.DisableInterrupts();
        ResetLog();
        Apic.SelfIpi(VLow);
        Apic.SelfIpi(VHigh);
        Report.Check(Apic.IsRequested(VLow) && Apic.IsRequested(VHigh), "apic.irq.pending_in_irr_while_if_clear",
            "self-IPIs sent with IF=0 are not both in IRR");
        Report.CheckEqual("apic.irq.highest_requested", VHigh, (ulong)Apic.HighestRequested());
        Report.CheckEqual("apic.irq.not_delivered_while_if_clear", 0, (ulong)s_logCount);
        if (Report.Check(WaitLog(2), "apic.irq.pending_delivered_on_sti", "the two pending IPIs were not both delivered"))
        {
            Report.CheckEqual("apic.irq.priority.higher_class_first", VHigh, (ulong)s_log.Vector[0]);
            Report.CheckEqual("apic.irq.priority.lower_class_second", VLow, (ulong)s_log.Vector[1]);
        }

        ResetLog();
        Apic.SelfIpi(VLowSameClassLow);
        Apic.SelfIpi(VLowSameClassHigh);
        if (Report.Check(WaitLog(2), "apic.irq.same_class_delivered", "two pending IPIs of one class were not both delivered"))
        {
            Report.CheckEqual("apic.irq.priority.same_class_higher_vector_first", VLowSameClassHigh, (ulong)s_log.Vector[0]);
            Report.CheckEqual("apic.irq.priority.same_class_lower_vector_second", VLowSameClassLow, (ulong)s_log.Vector[1]);
        }
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("apic.irq.no_extra_deliveries", 2, (ulong)s_logCount);
    }

    private static void TprMasking()
    {
        Cpu.DisableInterrupts();
        ResetLog();
        Apic.Tpr = TprClass6;
        Report.CheckEqual("apic.tpr.ppr_follows_tpr", TprClass6, Apic.Ppr);
        Apic.SelfIpi(VLow);
        Apic.SelfIpi(VTprClass6);
        InterruptWindow.Open(QuietUs);
        // Only a class above PPR's class is delivered (SDM 11.8.3.1): 5 and 6 wait.
        Report.CheckEqual("apic.tpr.blocks_lower_and_equal_class", 0, (ulong)s_logCount);
        Report.Check(Apic.IsRequested(VLow) && Apic.IsRequested(VTprClass6), "apic.tpr.blocked_stay_in_irr",
            "a vector blocked by TPR is not in IRR");
        Apic.SelfIpi(VMid);
        Report.Check(WaitLog(1) && s_log.Vector[0] == VMid, "apic.tpr.higher_class_passes", "class 7 was not delivered above TPR class 6");
        Apic.Tpr = 0;
        if (Report.Check(WaitLog(3), "apic.tpr.lowering_delivers_pending", "lowering TPR did not deliver both pending vectors"))
        {
            Report.CheckEqual("apic.tpr.pending_order_first", VTprClass6, (ulong)s_log.Vector[1]);
            Report.CheckEqual("apic.tpr.pending_order_second", VLow, (ulong)s_log.Vector[2]);
        }
        Report.CheckEqual("apic.tpr.ppr_back_to_zero", 0, Apic.Ppr);
    }

    /// <summary>In service at 0x80, moves TPR around and samples PPR (SDM 11.8.3.1).</summary>
    private static void OnPprProbe(InterruptFrame* frame)
    {
        s_ppr.Idle = Apic.Ppr;
        Apic.Tpr = TprAboveProbe;
        s_ppr.TprAbove = Apic.Ppr;
        Apic.Tpr = TprSameClassAsProbe;
        s_ppr.TprSame = Apic.Ppr;
        Apic.Tpr = TprBelowProbe;
        s_ppr.TprBelow = Apic.Ppr;
        Apic.Tpr = 0;
        s_ppr.Count++;
        Apic.Eoi();
    }

    private static void PprProbe()
    {
        Cpu.DisableInterrupts();
        s_ppr.Count = 0;
        Apic.SelfIpi(VPprProbe);
        fixed (int* count = &s_ppr.Count)
        {
            if (!Report.Check(InterruptWindow.WaitCount(count, 1, WaitUs, true), "apic.ppr.probe_delivered", "the PPR probe IPI never arrived")) return;
        }
        const uint isrvClass = VPprProbe & ApicRegisters.PriorityClassMask;
        Report.CheckEqual("apic.ppr.isrv_class_when_tpr_zero", isrvClass, s_ppr.Idle);
        Report.CheckEqual("apic.ppr.tpr_above_isrv", TprAboveProbe, s_ppr.TprAbove);
        Report.CheckEqual("apic.ppr.tpr_same_class_as_isrv", TprSameClassAsProbe, s_ppr.TprSame);
        Report.CheckEqual("apic.ppr.isrv_above_tpr", isrvClass, s_ppr.TprBelow);
    }

    private static void OnNestOuter(InterruptFrame* frame)
    {
        s_nest.OuterInService = Apic.IsInService(VNestOuter) ? 1 : 0;
        Apic.SelfIpi(VNestInner);
        Apic.SelfIpi(VNestLate);
        fixed (int* inner = &s_nest.InnerCount) InterruptWindow.WaitCount(inner, 1, WaitUs, true);
        // Give the lower vector the same chance to (wrongly) get in.
        InterruptWindow.Open(QuietUs);
        s_nest.InnerSeenInside = s_nest.InnerCount;
        s_nest.LateSeenInside = s_nest.LateCount;
        s_nest.LateInIrr = Apic.IsRequested(VNestLate) ? 1 : 0;
        s_nest.OuterInServiceAfterInner = Apic.IsInService(VNestOuter) ? 1 : 0;
        Apic.Eoi();
        s_nest.OuterInServiceAfterEoi = Apic.IsInService(VNestOuter) ? 1 : 0;
        s_nest.OuterCount++;
    }

    private static void OnNestInner(InterruptFrame* frame)
    {
        s_nest.InnerBothInService = Apic.IsInService(VNestInner) && Apic.IsInService(VNestOuter) ? 1 : 0;
        s_nest.InnerPpr = Apic.Ppr;
        Apic.Eoi();
        s_nest.InnerInServiceAfterEoi = Apic.IsInService(VNestInner) ? 1 : 0;
        s_nest.OuterStillInService = Apic.IsInService(VNestOuter) ? 1 : 0;
        s_nest.InnerCount++;
    }

    private static void OnNestLate(InterruptFrame* frame)
    {
        s_nest.LateAfterOuter = s_nest.OuterCount;
        s_nest.LateCount++;
        Apic.Eoi();
    }

    private static void ResetNest()
    {
        s_nest.OuterInService = s_nest.InnerSeenInside = s_nest.LateSeenInside = s_nest.LateInIrr = 0;
        s_nest.OuterInServiceAfterInner = s_nest.OuterInServiceAfterEoi = 0;
        s_nest.InnerBothInService = s_nest.InnerInServiceAfterEoi = s_nest.OuterStillInService = s_nest.LateAfterOuter = 0;
        s_nest.InnerPpr = 0;
        s_nest.OuterCount = s_nest.InnerCount = s_nest.LateCount = 0;
    }

    private static void Nested()
    {
        Cpu.DisableInterrupts();
        ResetNest();
        Apic.SelfIpi(VNestOuter);
        bool done;
        fixed (int* late = &s_nest.LateCount) done = InterruptWindow.WaitCount(late, 1, WaitUs, true);
        Report.Check(s_nest.OuterCount == 1, "apic.nested.outer_delivered", "the outer IPI never completed");
        Report.Check(s_nest.OuterInService == 1, "apic.nested.outer_in_service", "ISR bit of the outer vector clear in its handler");
        Report.Check(s_nest.InnerSeenInside == 1, "apic.nested.higher_preempts_handler",
            "a higher-class IPI was not delivered inside a lower-class handler with IF=1");
        Report.Check(s_nest.InnerBothInService == 1, "apic.nested.both_in_service", "inner handler did not see both ISR bits set");
        Report.CheckEqual("apic.nested.ppr_is_inner_class", VNestInner & ApicRegisters.PriorityClassMask, s_nest.InnerPpr);
        Report.Check(s_nest.InnerInServiceAfterEoi == 0 && s_nest.OuterStillInService == 1, "apic.nested.eoi_clears_highest_only",
            "EOI in the inner handler did not clear exactly the highest ISR bit");
        Report.Check(s_nest.OuterInServiceAfterInner == 1 && s_nest.OuterInServiceAfterEoi == 0, "apic.nested.outer_eoi_clears_outer",
            "the outer ISR bit was not set until, and clear after, the outer EOI");
        Report.Check(s_nest.LateSeenInside == 0 && s_nest.LateInIrr == 1, "apic.nested.lower_blocked_while_in_service",
            "a lower-class IPI got in (or left IRR) while a higher vector was in service");
        Report.Check(done && s_nest.LateAfterOuter == 1, "apic.nested.lower_delivered_after_eoi",
            "the lower-class IPI was not delivered after the outer handler's EOI");
        Report.CheckEqual("apic.nested.isr_empty_after", unchecked((ulong)-1), (ulong)Apic.HighestInService());
    }

    // =====================================================================
    // NMI
    // =====================================================================

    private static void OnNmi(InterruptFrame* frame)
    {
        fixed (int* hits = s_nmiHits.Value) Atomic.FetchAdd(hits + Smp.CurrentCpu, 1);
        fixed (int* total = &s_nmiCount) Atomic.FetchAdd(total, 1);
    }

    private static void Nmi()
    {
        Cpu.DisableInterrupts();
        s_nmiCount = 0;
        // ICR NMI to this APIC's own ID: valid per SDM table 11-3 (no shorthand, edge). IF=0 does not block NMI.
        Apic.SendIpi(Apic.Id, 0, ApicRegisters.IcrNmi, ApicRegisters.IcrPhysical, ApicRegisters.IcrNoShorthand);
        bool got;
        fixed (int* total = &s_nmiCount) got = InterruptWindow.WaitCount(total, 1, WaitUs, false);
        Report.Check(got, "apic.nmi.self_by_id_with_if_clear", "an NMI IPI to this APIC's own ID never arrived");
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("apic.nmi.self_by_id_once", 1, (ulong)s_nmiCount);

        // The "self" shorthand with NMI delivery is listed as invalid in SDM table 11-3:
        // what happens is measured, not judged.
        s_nmiCount = 0;
        Apic.SendIpi(0, 0, ApicRegisters.IcrNmi, ApicRegisters.IcrPhysical, ApicRegisters.IcrSelf);
        fixed (int* total = &s_nmiCount) got = InterruptWindow.WaitCount(total, 1, QuietUs, false);
        Report.Metric("apic.nmi.self_shorthand_delivered", got ? 1 : 0, "bool");
        Report.CheckEqual("apic.nmi.esr_clear", 0, Apic.ReadErrors());
    }

    // =====================================================================
    // Timer
    // =====================================================================

    private static void OnTimer(InterruptFrame* frame)
    {
        ulong tsc = Cpu.Rdtsc();
        int i = s_timerCount;
        if (i < TimerLogSize)
        {
            s_timerLog.Tsc[i] = tsc;
            s_timerLog.Steal[i] = StealTime.Nanoseconds;
        }
        s_timerCount = i + 1;
        Apic.Eoi();
    }

    private static bool WaitTimer(int n, ulong us)
    {
        fixed (int* count = &s_timerCount) return InterruptWindow.WaitCount(count, n, us, true);
    }

    private static void Timer()
    {
        Cpu.DisableInterrupts();
        Apic.TimerStop();

        // Steal time lets the lateness checks leave out the host scheduler (JudgeLateness).
        if (StealTime.Supported)
            Report.CheckEqual("apic.timer.steal_time_enabled", unchecked((ulong)Cpu.NoFault), unchecked((ulong)StealTime.Enable()));
        else
            Report.Info("apic.timer.steal_time", "not offered (CPUID 0x40000001 EAX bit 5 clear): lateness includes host scheduling delays");

        // ---- calibration against the TSC ----
        ApicTimerCalibration cal, cal16;
        ApicTimerCalibration.Measure(VTimer, ApicRegisters.DivideBy1, CalibrationUs, &cal);
        ulong ticks = cal.Ticks, cycles = cal.Cycles;
        if (!Report.Check(ticks > 0, "apic.timer.counts_down", "current count did not move in divide-by-1 one-shot mode")) return;
        ulong cyclesPerMillionTicks = cal.CyclesPerMillionTicks;
        ulong minCyclesPerMillionTicks = cal.MinCyclesPerMillionTicks;
        Report.Metric("apic.timer.tsc_cycles_per_1000_ticks", (long)(cyclesPerMillionTicks / (PerMillion / PerThousand)), "cycles");
        if (!Report.Check(cyclesPerMillionTicks > 0, "apic.timer.calibrated", "the timer runs faster than a million ticks per TSC cycle")) return;
        Report.Metric("apic.timer.calibration_uncertainty_ppm", (long)cal.UncertaintyPpm, "ppm");
        if (Tsc.Hz != 0) Report.Metric("apic.timer.frequency", (long)cal.TicksPerSecond, "hz");

        ApicTimerCalibration.Measure(VTimer, Apic.DivideConfigFor(DivideCheckDivisor), CalibrationUs, &cal16);
        ulong ticks16 = cal16.Ticks, cycles16 = cal16.Cycles;
        // ticks/cycles must be DivideCheckDivisor times ticks16/cycles16, within a few percent.
        ulong ratioPercent = ticks16 == 0 ? 0 : ticks * cycles16 * Percent / (ticks16 * cycles);
        Report.CheckRange("apic.timer.divide_16_ratio_percent", (long)ratioPercent,
            (long)(DivideCheckDivisor * (Percent - DivideRatioPercentTolerance)),
            (long)(DivideCheckDivisor * (Percent + DivideRatioPercentTolerance)));

        ulong slack = Tsc.MicrosecondsToCycles(TimerSlackUs);

        // ---- one-shot, a few times: lateness is judged by its median ----
        uint count = TicksFor(Tsc.MicrosecondsToCycles(OneShotUs), cyclesPerMillionTicks);
        ulong expect = CyclesFor(count, cyclesPerMillionTicks);
        long calibrationSlack = EarlyAllowance(count, cyclesPerMillionTicks, minCyclesPerMillionTicks);
        long* late = stackalloc long[TimerLogSize];
        long* stolen = stackalloc long[TimerLogSize];
        int fired = 0, once = 0;
        for (int r = 0; r < TimerRepeats; r++)
        {
            s_timerCount = 0;
            Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerOneShot | VTimer);
            Apic.TimerDivide = ApicRegisters.DivideBy1;
            ulong steal0 = StealTime.Nanoseconds;
            ulong oneShotStart = Cpu.Rdtsc();
            Apic.TimerInitialCount = count;
            if (!WaitTimer(1, WaitUs)) continue;
            stolen[fired] = StolenBefore(0, steal0);
            late[fired++] = (long)(s_timerLog.Tsc[0] - oneShotStart) - (long)expect;
            InterruptWindow.Open(QuietUs);
            if (s_timerCount == 1) once++;
        }
        Report.CheckEqual("apic.timer.oneshot_fires", TimerRepeats, (ulong)fired);
        Report.CheckEqual("apic.timer.oneshot_fires_once", (ulong)fired, (ulong)once);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, calibrationSlack + (long)(expect / EarlyToleranceDivisor), (long)slack,
                "apic.timer.oneshot_not_early", "apic.timer.oneshot_median_on_time",
                "apic.timer.oneshot_late_min_cycles", "apic.timer.oneshot_late_median_cycles", "apic.timer.oneshot_late_max_cycles",
                "apic.timer.oneshot_steal_median_cycles");
        Report.CheckEqual("apic.timer.oneshot_current_count_zero", 0, Apic.TimerCurrentCount);
        Report.CheckEqual("apic.timer.oneshot_initial_count_kept", count, Apic.TimerInitialCount);

        // ---- periodic: tick i is due i periods after the start ----
        count = TicksFor(Tsc.MicrosecondsToCycles(PeriodUs), cyclesPerMillionTicks);
        expect = CyclesFor(count, cyclesPerMillionTicks);
        calibrationSlack = EarlyAllowance(count, cyclesPerMillionTicks, minCyclesPerMillionTicks);
        s_timerCount = 0;
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerPeriodic | VTimer);
        Apic.TimerDivide = ApicRegisters.DivideBy1;
        ulong periodicSteal0 = StealTime.Nanoseconds;
        ulong start = Cpu.Rdtsc();
        Apic.TimerInitialCount = count;
        bool ticked = WaitTimer(PeriodicTicks, WaitUs);
        uint current = Apic.TimerCurrentCount;
        Report.Check(current <= count, "apic.timer.periodic_count_within_initial", "current count above the initial count");
        Apic.TimerInitialCount = 0;
        // A tick that expired before the stop may still be pending in IRR: it is allowed in.
        int atStop = s_timerCount + (Apic.IsRequested(VTimer) ? 1 : 0);
        InterruptWindow.Open(3 * PeriodUs);
        Report.CheckEqual("apic.timer.periodic_zero_count_stops", (ulong)atStop, (ulong)s_timerCount);
        if (Report.Check(ticked, "apic.timer.periodic_ticks", "fewer periodic timer interrupts than expected"))
        {
            // Interrupt n cannot come before the n-th expiry (one interrupt per expiry at most).
            // The calibration's uncertainty is per period, so it adds up over n periods.
            long earliest = long.MaxValue;
            for (int i = 0; i < PeriodicTicks; i++)
            {
                long periods = i + 1;
                long ahead = (long)(s_timerLog.Tsc[i] - start) - (long)expect * periods + calibrationSlack * periods;
                if (ahead < earliest) earliest = ahead;
            }
            Report.CheckRange("apic.timer.periodic_not_early", earliest, -(long)(expect / EarlyToleranceDivisor), long.MaxValue);
            // Expiries that find the vector still pending in IRR merge with it (a vCPU the
            // host deschedules misses some): lateness is measured from the latest expiry.
            ulong lastExpiry = 0;
            for (int i = 0; i < PeriodicTicks; i++)
            {
                ulong since = s_timerLog.Tsc[i] - start;
                ulong k = since / expect;
                late[i] = k == 0 ? (long)since - (long)expect : (long)(since - k * expect);
                // Steal since the previous interrupt: an upper bound on what delayed this one.
                stolen[i] = StolenBefore(i, i == 0 ? periodicSteal0 : s_timerLog.Steal[i - 1]);
                lastExpiry = k;
            }
            Report.Metric("apic.timer.periodic_period_cycles", (long)expect, "cycles");
            Report.Metric("apic.timer.periodic_merged_expiries", (long)lastExpiry - PeriodicTicks, "count");
            JudgeLateness(late, stolen, PeriodicTicks, 0, (long)slack, null, "apic.timer.periodic_median_on_time",
                "apic.timer.periodic_late_min_cycles", "apic.timer.periodic_late_median_cycles", "apic.timer.periodic_late_max_cycles",
                "apic.timer.periodic_steal_median_cycles");
        }

        // ---- masked: counts down, interrupts nothing ----
        s_timerCount = 0;
        Apic.TimerStart(ApicRegisters.TimerOneShot, VTimer, TicksFor(Tsc.MicrosecondsToCycles(PeriodUs), cyclesPerMillionTicks),
            ApicRegisters.DivideBy1, true);
        InterruptWindow.Open(3 * PeriodUs);
        Report.CheckEqual("apic.timer.masked_no_interrupt", 0, (ulong)s_timerCount);
        Report.CheckEqual("apic.timer.masked_still_counts_to_zero", 0, Apic.TimerCurrentCount);
        Apic.TimerStop();

        TscDeadlineTimer(slack, late, stolen);
        Apic.TimerStop();
    }

    /// <summary>
    /// Judges timer lateness samples (TSC cycles after the due time). None may be earlier
    /// than <paramref name="earlyTolerance"/> before due (the APIC's semantics; skipped when
    /// <paramref name="notEarly"/> is null). The median, less the steal time the host reported
    /// over each sample (<paramref name="stolen"/>, cycles the vCPU was runnable but not
    /// running), must be within <paramref name="slack"/>: that judges the hypervisor's
    /// injection, not the host scheduler. Reports min/median/max and the median steal.
    /// </summary>
    private static void JudgeLateness(long* late, long* stolen, int n, long earlyTolerance, long slack,
        string? notEarly, string onTime, string minName, string medianName, string maxName, string stolenName)
    {
        long* running = stackalloc long[n];
        for (int i = 0; i < n; i++) running[i] = late[i] - stolen[i];
        SortLongs(late, n);
        SortLongs(running, n);
        SortLongs(stolen, n);
        if (notEarly != null) Report.CheckRange(notEarly, late[0], -earlyTolerance, long.MaxValue);
        Report.CheckRange(onTime, running[n / 2], long.MinValue, slack);
        Report.Metric(minName, late[0], "cycles");
        Report.Metric(medianName, late[n / 2], "cycles");
        Report.Metric(maxName, late[n - 1], "cycles");
        Report.Metric(stolenName, stolen[n / 2], "cycles");
    }

    private static void SortLongs(long* a, int n)
    {
        for (int i = 1; i < n; i++)
        {
            long v = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
            a[j + 1] = v;
        }
    }

    /// <summary>Steal time between <paramref name="since"/> (ns) and timer interrupt <paramref name="i"/>, in cycles.</summary>
    private static long StolenBefore(int i, ulong since) => (long)StealTime.ToCycles(s_timerLog.Steal[i] - since);

    /// <summary>
    /// How much sooner than the estimate <paramref name="count"/> ticks may end if the timer
    /// runs at the fastest rate the calibration's read windows allow.
    /// </summary>
    private static long EarlyAllowance(uint count, ulong cyclesPerMillionTicks, ulong minCyclesPerMillionTicks) =>
        minCyclesPerMillionTicks >= cyclesPerMillionTicks ? 0
            : (long)(CyclesFor(count, cyclesPerMillionTicks) - CyclesFor(count, minCyclesPerMillionTicks));

    private static ulong CyclesFor(uint ticks, ulong cyclesPerMillionTicks) => ticks * cyclesPerMillionTicks / PerMillion;

    private static uint TicksFor(ulong tscCycles, ulong cyclesPerMillionTicks)
    {
        ulong t = tscCycles * PerMillion / cyclesPerMillionTicks;
        return t == 0 ? 1 : t > uint.MaxValue ? uint.MaxValue : (uint)t;
    }

    private static void TscDeadlineTimer(ulong slack, long* late, long* stolen)
    {
        if (!Apic.TscDeadlineSupported)
        {
            Report.Skip("apic.tscdeadline", "CPUID.1:ECX.TSC_Deadline[bit 24] is clear");
            return;
        }
        ulong span = Tsc.MicrosecondsToCycles(DeadlineUs);

        // Outside TSC-deadline mode IA32_TSC_DEADLINE reads 0 and ignores writes (SDM 11.5.4.1).
        s_timerCount = 0;
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerOneShot | VTimer);
        Apic.TimerInitialCount = 0;
        Apic.TscDeadline = Cpu.Rdtsc() + span;
        Report.CheckEqual("apic.tscdeadline.msr_ignored_outside_mode", 0, Apic.TscDeadline);
        InterruptWindow.Open(3 * DeadlineUs);
        Report.CheckEqual("apic.tscdeadline.no_fire_outside_mode", 0, (ulong)s_timerCount);

        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerTscDeadline | VTimer);
        Report.CheckEqual("apic.tscdeadline.lvt_mode_rw", ApicRegisters.TimerTscDeadline, Apic.TimerMode);
        // In TSC-deadline mode initial-count writes are ignored and current count reads 0.
        Apic.TimerInitialCount = TscDeadlineModeCountProbe;
        Report.CheckEqual("apic.tscdeadline.initial_count_ignored", 0, Apic.TimerInitialCount);
        Report.CheckEqual("apic.tscdeadline.current_count_zero", 0, Apic.TimerCurrentCount);

        ulong far = Cpu.Rdtsc() + span * FarDeadlineSpans;
        Apic.TscDeadline = far;
        Report.CheckEqual("apic.tscdeadline.msr_readback", far, Apic.TscDeadline);
        Apic.TscDeadline = TscDeadlineMsr.Disarmed;
        Report.CheckEqual("apic.tscdeadline.msr_zero_after_disarm", 0, Apic.TscDeadline);

        // Writing 0 disarms a pending deadline.
        s_timerCount = 0;
        Apic.TimerTscDeadline(VTimer, Cpu.Rdtsc() + span);
        Apic.TscDeadline = TscDeadlineMsr.Disarmed;
        InterruptWindow.Open(3 * DeadlineUs);
        Report.CheckEqual("apic.tscdeadline.zero_disarms", 0, (ulong)s_timerCount);

        // Fires once, not before the deadline, then clears the MSR (a few times: lateness by median).
        int fired = 0, once = 0, cleared = 0, extraFires = 0;
        long secondAfter = 0;
        for (int r = 0; r < TimerRepeats; r++)
        {
            s_timerCount = 0;
            ulong steal0 = StealTime.Nanoseconds;
            ulong deadlineAt = Cpu.Rdtsc() + span;
            Apic.TimerTscDeadline(VTimer, deadlineAt);
            if (!WaitTimer(1, WaitUs)) continue;
            stolen[fired] = StolenBefore(0, steal0);
            late[fired++] = (long)(s_timerLog.Tsc[0] - deadlineAt);
            if (Apic.TscDeadline == TscDeadlineMsr.Disarmed) cleared++;
            InterruptWindow.Open(QuietUs);
            if (s_timerCount == 1) once++;
            else if (s_timerCount > 1 && extraFires == 0)
            {
                // How a second fire looks tells a re-injection (at once) from a re-armed timer (later).
                extraFires = s_timerCount - 1;
                secondAfter = (long)(s_timerLog.Tsc[1] - s_timerLog.Tsc[0]);
            }
        }
        if (extraFires > 0)
        {
            Report.Metric("apic.tscdeadline.extra_fires_first_seen", extraFires, "count");
            Report.Metric("apic.tscdeadline.second_fire_after_cycles", secondAfter, "cycles");
        }
        Report.CheckEqual("apic.tscdeadline.fires", TimerRepeats, (ulong)fired);
        Report.CheckEqual("apic.tscdeadline.msr_cleared_after_fire", (ulong)fired, (ulong)cleared);
        Report.CheckEqual("apic.tscdeadline.fires_once", (ulong)fired, (ulong)once);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, 0, (long)slack, "apic.tscdeadline.not_early", "apic.tscdeadline.median_on_time",
                "apic.tscdeadline.late_min_cycles", "apic.tscdeadline.late_median_cycles", "apic.tscdeadline.late_max_cycles",
                "apic.tscdeadline.steal_median_cycles");

        // A deadline already passed fires at once.
        fired = 0;
        for (int r = 0; r < TimerRepeats; r++)
        {
            s_timerCount = 0;
            ulong steal0 = StealTime.Nanoseconds;
            ulong deadlineAt = Cpu.Rdtsc();
            Apic.TimerTscDeadline(VTimer, deadlineAt);
            if (!WaitTimer(1, WaitUs)) continue;
            stolen[fired] = StolenBefore(0, steal0);
            late[fired++] = (long)(s_timerLog.Tsc[0] - deadlineAt);
        }
        Report.CheckEqual("apic.tscdeadline.past_deadline_fires", TimerRepeats, (ulong)fired);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, 0, (long)slack, "apic.tscdeadline.past_deadline_not_early", "apic.tscdeadline.past_deadline_median_at_once",
                "apic.tscdeadline.past_late_min_cycles", "apic.tscdeadline.past_late_median_cycles", "apic.tscdeadline.past_late_max_cycles",
                "apic.tscdeadline.past_steal_median_cycles");

        // Changing the timer mode disarms it (SDM 11.5.4.1).
        s_timerCount = 0;
        Apic.TimerTscDeadline(VTimer, Cpu.Rdtsc() + span);
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerOneShot | VTimer);
        InterruptWindow.Open(3 * DeadlineUs);
        Report.CheckEqual("apic.tscdeadline.mode_change_disarms", 0, (ulong)s_timerCount);
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerTscDeadline | VTimer);
        Report.CheckEqual("apic.tscdeadline.msr_zero_after_mode_change", 0, Apic.TscDeadline);
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("apic.tscdeadline.no_fire_after_mode_change", 0, (ulong)s_timerCount);
    }

    // =====================================================================
    // Cross-CPU IPIs
    // =====================================================================

    private static void OnCross(InterruptFrame* frame)
    {
        fixed (int* hits = s_hits.Value) Atomic.FetchAdd(hits + Smp.CurrentCpu, 1);
        Apic.Eoi();
    }

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

    /// <summary>On an AP (xAPIC): flat logical ID = bit (cpu index) of LDR[31:24].</summary>
    private static void ApSetFlatLdr(void* arg)
    {
        int me = Smp.CurrentCpu;
        Apic.Write(ApicRegisters.Dfr, ApicRegisters.DfrFlat);
        Apic.Write(ApicRegisters.Ldr, (1u << me) << ApicRegisters.XApicLdrShift);
        s_apLdr.Value[me] = Apic.Ldr;
    }

    /// <summary>
    /// On an AP: APIC into the kernel's mode, then HLT until the BSP sets s_unpark and
    /// sends VWake. The AP's own one-shot timer is the backstop that bounds each HLT.
    /// </summary>
    private static void ApPark(void* arg)
    {
        int me = Smp.CurrentCpu;
        Apic.InitThisCpu();
        ulong end = Tsc.Deadline(ParkUs);
        s_parked.Value[me] = 1;
        while (s_unpark == 0 && !Tsc.Passed(end))
        {
            Apic.TimerStart(ApicRegisters.TimerOneShot, VParkTimer, ParkTimerTicks, ApicRegisters.DivideBy1, false);
            Cpu.EnableInterruptsAndHalt();
            Cpu.DisableInterrupts();
        }
        Apic.TimerStop();
        s_parked.Value[me] = 0;
    }

    private static bool ParkAps()
    {
        int last = Smp.CpuCount - 1;
        if (last < 1) return false;
        s_unpark = 0;
        bool ok = true;
        for (int c = 1; c <= last; c++) ok &= Smp.OnCpuAsync(c, &ApPark, null);
        fixed (int* parked = s_parked.Value) ok = ok && Smp.WaitFlags(parked, 1, last, WaitUs);
        Report.Check(ok, "apic.smp.aps_parked", "an AP did not reach its HLT loop");
        return true;
    }

    private static void UnparkAps()
    {
        s_unpark = 1;
        Apic.SendIpi(0, VWake, ApicRegisters.IcrFixed, ApicRegisters.IcrPhysical, ApicRegisters.IcrAllExcludingSelf);
        bool ok = true;
        for (int c = 1; c < Smp.CpuCount; c++) ok &= Smp.WaitIdle(c);
        Report.Check(ok, "apic.smp.aps_unparked", "an AP did not leave its HLT loop");
        s_unpark = 0;
    }

    private static void ClearCounts()
    {
        for (int c = 0; c < PerCpu.MaxCpus; c++) { s_hits.Value[c] = 0; s_nmiHits.Value[c] = 0; }
    }

    /// <summary>Waits until the summed hits reach <paramref name="target"/>, then a quiet window for extras. BSP IF as given.</summary>
    private static void WaitHits(PerCpuInts* counts, int cpus, int target, bool bspInterrupts)
    {
        ulong end = Tsc.Deadline(WaitUs);
        if (bspInterrupts) Cpu.EnableInterrupts();
        for (;;)
        {
            int sum = 0;
            for (int c = 0; c < cpus; c++) sum += counts->Value[c];
            if (sum >= target || Tsc.Passed(end)) break;
            Cpu.Pause();
        }
        ulong quietEnd = Tsc.Deadline(QuietUs);
        while (!Tsc.Passed(quietEnd)) Cpu.Pause();
        Cpu.DisableInterrupts();
    }

    /// <summary>True if every CPU in [0, cpus) got exactly its expected count (1 if in the mask range, else 0).</summary>
    private static bool ExactlyOnce(PerCpuInts* counts, int cpus, bool includeBsp)
    {
        bool ok = true;
        for (int c = 0; c < cpus; c++) ok &= counts->Value[c] == (c == 0 && !includeBsp ? 0 : 1);
        return ok;
    }

    private static void CrossCpu()
    {
        int cpus = Smp.CpuCount;
        if (cpus < 2)
        {
            Report.Skip("apic.smp", "one CPU online: IPIs between CPUs need cpus >= 2");
            return;
        }
        Cpu.DisableInterrupts();
        int last = cpus - 1;

        // Every AP into the kernel's APIC mode.
        bool setup = true;
        for (int c = 1; c <= last; c++) setup &= Smp.OnCpu(c, &ApSetup, null);
        if (!Report.Check(setup, "apic.smp.ap_setup_ran", "an AP did not run its APIC set-up")) return;
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
        Report.Check(initOk, "apic.smp.ap_init", "Apic.InitThisCpu failed on an AP");
        Report.Check(modeOk, "apic.smp.ap_mode", "an AP's APIC is not in the kernel's mode");
        Report.Check(notBsp, "apic.smp.ap_not_bsp", "an AP has IA32_APIC_BASE.BSP set");
        Report.Check(idCpuid, "apic.smp.ap_id_matches_cpuid", "an AP's APIC ID differs from its CPUID initial/x2APIC ID");
        Report.Check(idPerCpu, "apic.smp.ap_id_matches_startup", "an AP's APIC ID differs from what SMP start-up recorded");
        Report.Check(unique, "apic.smp.ids_unique", "two CPUs share an APIC ID");
        if (s_mode == ApicMode.X2Apic) Report.Check(ldrOk, "apic.smp.ap_ldr_from_id", "an AP's x2APIC LDR is not derived from its ID");

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
        Report.Check(started, "apic.smp.receivers_ready", "an AP never reported ready to receive");
        Report.Check(icrIdle, "apic.smp.icr_idle", "ICR delivery status stayed send-pending");
        Report.Check(each, "apic.smp.ipi_fixed_physical", "a fixed IPI to an AP's ID did not run exactly once on exactly that AP");

        // Shorthand all-excluding-self: every other CPU once, not this one.
        Broadcast("apic.smp.broadcast_all_excluding_self", 0, ApicRegisters.IcrAllExcludingSelf, cpus, false);
        // Shorthand all-including-self: every CPU once.
        Broadcast("apic.smp.broadcast_all_including_self", 0, ApicRegisters.IcrAllIncludingSelf, cpus, true);
        // Physical broadcast ID (0xFF / 0xFFFFFFFF): every CPU once.
        Broadcast("apic.smp.broadcast_physical_id", Apic.BroadcastDestination, ApicRegisters.IcrNoShorthand, cpus, true);

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
        Report.Check(nmiEach, "apic.smp.nmi_to_other", "an NMI IPI to an AP's ID did not arrive exactly once on exactly that AP");

        // NMI to all-excluding-self (valid per SDM table 11-3).
        ClearCounts();
        if (ApReceivers.Start(1, last, ReceiverUs))
        {
            Apic.SendIpi(0, 0, ApicRegisters.IcrNmi, ApicRegisters.IcrPhysical, ApicRegisters.IcrAllExcludingSelf);
            fixed (PerCpuInts* nmis = &s_nmiHits) WaitHits(nmis, cpus, last, false);
            fixed (PerCpuInts* nmis = &s_nmiHits)
                Report.Check(ExactlyOnce(nmis, cpus, false), "apic.smp.nmi_all_excluding_self",
                    "an NMI to all-excluding-self did not reach every other CPU exactly once");
        }
        else Report.Check(false, "apic.smp.nmi_all_excluding_self", "an AP never reported ready to receive");
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
            Report.Check(ExactlyOnce(hits, cpus, includeBsp), name, includeBsp
                ? "not every CPU got the broadcast exactly once"
                : "not every other CPU got the broadcast exactly once, or this CPU got it");
    }

    private static void LogicalDestination(int cpus, int last)
    {
        if (s_mode == ApicMode.XApic)
        {
            // Flat model: 8 bits of logical ID, one per CPU index (first 8 CPUs).
            const int flatCpus = 8;
            int n = cpus < flatCpus ? cpus : flatCpus;
            bool setOk = true;
            for (int c = 1; c < n; c++) setOk &= Smp.OnCpu(c, &ApSetFlatLdr, null);
            Apic.Write(ApicRegisters.Dfr, ApicRegisters.DfrFlat);
            uint bspLdr = Apic.Ldr;
            Apic.Write(ApicRegisters.Ldr, 1u << ApicRegisters.XApicLdrShift);
            uint mask = 0;
            for (int c = 1; c < n; c++) mask |= 1u << c;
            ClearCounts();
            bool ok = setOk && ApReceivers.Start(1, last, ReceiverUs);
            if (ok)
            {
                Apic.SendIpi(mask, VCross, ApicRegisters.IcrFixed, ApicRegisters.IcrLogical, ApicRegisters.IcrNoShorthand);
                fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, n - 1, true);
                for (int c = 0; c < cpus; c++) ok &= s_hits.Value[c] == (c >= 1 && c < n ? 1 : 0);
            }
            ApReceivers.Stop(1, last);
            Report.Check(ok, "apic.smp.logical_flat", "a flat logical IPI to every AP did not reach each exactly once (and not this CPU)");
            // The same set and this CPU (flat logical bit 0).
            if (setOk) LowestPriority(mask | 1u, mask | 1u, cpus, last);
            Apic.Write(ApicRegisters.Ldr, bspLdr);
        }
        else
        {
            // Cluster model: destination = the target's LDR (cluster in 31:16, one bit in 15:0).
            bool ok = true;
            for (int c = 1; c <= last; c++)
            {
                ClearCounts();
                if (!ApReceivers.Start(c, c, ReceiverUs)) { ok = false; ApReceivers.Stop(c, c); continue; }
                Apic.SendIpi(s_apLdr.Value[c], VCross, ApicRegisters.IcrFixed, ApicRegisters.IcrLogical, ApicRegisters.IcrNoShorthand);
                fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, 1, true);
                for (int d = 0; d < cpus; d++) ok &= s_hits.Value[d] == (d == c ? 1 : 0);
                ApReceivers.Stop(c, c);
            }
            Report.Check(ok, "apic.smp.logical_cluster", "an x2APIC logical IPI to an AP's LDR did not reach exactly that AP once");

            // Every CPU of this CPU's cluster (x2APIC logical destinations cannot span clusters).
            uint bspLdr = Apic.Ldr, cluster = bspLdr & ApicRegisters.X2ApicLdrClusterMask, destination = bspLdr;
            ulong members = 1;
            for (int c = 1; c <= last; c++)
            {
                if ((s_apLdr.Value[c] & ApicRegisters.X2ApicLdrClusterMask) != cluster) continue;
                destination |= s_apLdr.Value[c];
                members |= 1ul << c;
            }
            LowestPriority(destination, members, cpus, last);
        }
    }

    /// <summary>
    /// A lowest-priority IPI to a logical set is accepted by exactly one CPU of the set (SDM
    /// 11.6.2.4: which one is model specific, and KVM may pick by vector hash, so only the
    /// count is checked). <paramref name="members"/> has bit c set for each CPU index c in the set.
    /// </summary>
    private static void LowestPriority(uint destination, ulong members, int cpus, int last)
    {
        ClearCounts();
        bool ok = ApReceivers.Start(1, last, ReceiverUs);
        int inSet = 0, outside = 0;
        if (ok)
        {
            Apic.SendIpi(destination, VCross, ApicRegisters.IcrLowestPriority, ApicRegisters.IcrLogical, ApicRegisters.IcrNoShorthand);
            // Waits for the first, then listens for a second that must not come.
            fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, 1, true);
            for (int c = 0; c < cpus; c++)
            {
                if ((members & (1ul << c)) != 0) inSet += s_hits.Value[c];
                else outside += s_hits.Value[c];
            }
        }
        ApReceivers.Stop(1, last);
        if (!ok) { Report.Check(false, "apic.smp.lowest_priority_one_of_set", "an AP never reported ready to receive"); return; }
        Report.CheckEqual("apic.smp.lowest_priority_one_of_set", 1, (ulong)inSet);
        Report.CheckEqual("apic.smp.lowest_priority_none_outside_set", 0, (ulong)outside);
    }

    // =====================================================================
    // IA32_APIC_BASE mode transitions (last: a host that cannot re-enable ends here)
    // =====================================================================

    private static void ExpectBaseWrite(string name, ulong value, int expected) =>
        Report.CheckEqual(name, (ulong)(uint)expected, (ulong)(uint)Apic.WriteBaseSafe(value));

    private static void ModeTransitions()
    {
        Cpu.DisableInterrupts();
        Apic.TimerStop();
        ulong orig = Apic.ReadBase();
        ulong plain = orig & ~(ApicBaseMsr.Enable | ApicBaseMsr.Extd);
        ulong xapic = plain | ApicBaseMsr.Enable, x2apic = xapic | ApicBaseMsr.Extd, invalid = plain | ApicBaseMsr.Extd;

        // Start from xAPIC (the legal way out of x2APIC is through disabled).
        if (Apic.ModeOf(orig) == ApicMode.X2Apic) { Apic.WriteBaseSafe(plain); Apic.WriteBaseSafe(xapic); }
        Report.CheckEqual("apic.mode.start_in_xapic", (ulong)ApicMode.XApic, (ulong)Apic.HardwareMode);

        ExpectBaseWrite("apic.mode.xapic_to_invalid_gp", invalid, Exceptions.GP);
        ExpectBaseWrite("apic.mode.reserved_bit0_gp", xapic | ApicBaseReservedBit0, Exceptions.GP);
        ExpectBaseWrite("apic.mode.reserved_bit9_gp", xapic | ApicBaseReservedBit9, Exceptions.GP);
        CpuidResult ext = Cpu.Cpuid(CpuidLeaves.ExtendedMax);
        const uint addressSizes = 0x80000008;
        const uint physBitsMask = 0xFF;
        const int maxAddressBits = 52;
        if (ext.Eax >= addressSizes)
        {
            int physBits = (int)(Cpu.Cpuid(addressSizes).Eax & physBitsMask);
            Report.Metric("apic.mode.maxphyaddr", physBits, "count");
            if (physBits < maxAddressBits) ExpectBaseWrite("apic.mode.base_above_maxphyaddr_gp", xapic | (1ul << physBits), Exceptions.GP);
        }
        // A write that wrongly succeeded must not leave us in an odd state.
        if (Apic.ReadBase() != xapic) Apic.WriteBaseSafe(xapic);

        if (Apic.X2ApicSupported)
        {
            ExpectBaseWrite("apic.mode.xapic_to_x2apic", x2apic, Cpu.NoFault);
            Report.CheckEqual("apic.mode.x2apic_entered", (ulong)ApicMode.X2Apic, (ulong)Apic.HardwareMode);
            // The illegal transition (SDM 11.12.5, fig. 11-27).
            Report.CheckEqual("apic.mode.x2apic_to_xapic_gp", (ulong)Exceptions.GP, (ulong)(uint)Apic.TryX2ApicToXApic());
            Report.CheckEqual("apic.mode.x2apic_kept_after_gp", (ulong)ApicMode.X2Apic, (ulong)Apic.HardwareMode);
            ExpectBaseWrite("apic.mode.x2apic_to_invalid_gp", invalid, Exceptions.GP);
            ExpectBaseWrite("apic.mode.x2apic_to_disabled", plain, Cpu.NoFault);
            Report.CheckEqual("apic.mode.disabled_entered", (ulong)ApicMode.Disabled, (ulong)Apic.HardwareMode);
            Report.Check(!Apic.Present, "apic.mode.disabled_clears_cpuid_apic", "CPUID.1:EDX.APIC still set with the APIC disabled");
            ExpectBaseWrite("apic.mode.disabled_to_invalid_gp", invalid, Exceptions.GP);
            ExpectBaseWrite("apic.mode.disabled_to_x2apic_gp", x2apic, Exceptions.GP);
            ExpectBaseWrite("apic.mode.disabled_to_xapic", xapic, Cpu.NoFault);
        }
        else
        {
            ExpectBaseWrite("apic.mode.x2apic_unsupported_gp", x2apic, Exceptions.GP);
            if (Apic.ReadBase() != xapic) Apic.WriteBaseSafe(xapic);
            ExpectBaseWrite("apic.mode.xapic_to_disabled", plain, Cpu.NoFault);
            Report.CheckEqual("apic.mode.disabled_entered", (ulong)ApicMode.Disabled, (ulong)Apic.HardwareMode);
            Report.Check(!Apic.Present, "apic.mode.disabled_clears_cpuid_apic", "CPUID.1:EDX.APIC still set with the APIC disabled");
            ExpectBaseWrite("apic.mode.disabled_to_invalid_gp", invalid, Exceptions.GP);
            ExpectBaseWrite("apic.mode.disabled_to_xapic", xapic, Cpu.NoFault);
        }
        Report.CheckEqual("apic.mode.xapic_reentered", (ulong)ApicMode.XApic, (ulong)Apic.HardwareMode);
        Report.Check(Apic.Present, "apic.mode.enabled_sets_cpuid_apic", "CPUID.1:EDX.APIC clear with the APIC enabled again");

        // Back to the run's mode, set up again, and still working.
        if (!Report.Check(Apic.Init(s_mode), "apic.mode.restore", "could not return to the run's APIC mode")) return;
        uint initialId = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
        Report.CheckEqual("apic.mode.id_after_reenable", initialId, Apic.Id & ApicRegisters.XApicIdMask);
        ResetLog();
        Apic.SelfIpi(VSelf);
        Report.Check(WaitLog(1) && s_log.Vector[0] == VSelf, "apic.mode.self_ipi_after_restore", "a self-IPI after the mode round trip never arrived");
    }
}
