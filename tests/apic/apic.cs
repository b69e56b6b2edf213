using Kernel;

/// <summary>
/// The local APIC from inside the guest (Intel SDM vol. 3A ch. 11), in the mode the
/// command line names (`apic=xapic` or `apic=x2apic`): boot state, ID and version,
/// register semantics, self-IPIs, ISR/IRR/EOI, priority (TPR, PPR, nesting), NMI,
/// the timer in one-shot, periodic and TSC-deadline modes, IPIs between CPUs, and
/// last the IA32_APIC_BASE mode transitions. Modelled on what kvm-unit-tests'
/// x86/apic.c checks; every wait is TSC-bounded.
/// </summary>
internal static unsafe partial class TestKernel
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
    private const int DisarmAttempts = 5;
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

    private static string ModeName => s_mode == ApicMode.X2Apic ? "x2apic" : "xapic";

    /// <summary>
    /// The sections as a <see cref="TestSuite"/> table (only=a,b runs some; cpuid, boot and
    /// init always run, as every other row needs the APIC they set up). The BSP-only rows run
    /// with the APs parked.
    /// </summary>
    public static void Run()
    {
        TestSuite.Begin(Name);
        s_mode = ApicMode.XApic;
        if (CommandLine.Is("apic", "x2apic")) s_mode = ApicMode.X2Apic;
        else if (CommandLine.Has("apic") && !CommandLine.Is("apic", "xapic"))
            Report.Check(false, "argument", "apic= must be xapic or x2apic; running xapic");
        Report.Info("mode", ModeName);
        if (s_mode == ApicMode.X2Apic && !Apic.X2ApicSupported)
        {
            // The whole variant is about x2APIC: nothing of it can run (QEMU 7.2 TCG, for one).
            Report.Skip("x2apic", "CPUID.1:ECX.x2APIC[bit 21] is clear: this virtual CPU has no x2APIC");
            return;
        }

        // row                          function              precondition
        TestSuite.Require("cpuid",      &CpuidFeatures);
        TestSuite.Require("boot",       &BootState);
        TestSuite.Require("init",       &ChooseMode);
        TestSuite.Case("id",            &IdRegister,          null);
        TestSuite.Group("version",      &VersionRegister,     null);
        TestSuite.Case("reg",           &RegisterSemantics,   null);
        TestSuite.Case(ModeName,        &ModeRegisters,       null);
        InstallHandlers();
        bool parked = !TestSuite.Stopped && ParkAps();
        TestSuite.Case("ipi",           &SelfIpi,             null);
        TestSuite.Case("irq",           &Irq,                 null);
        TestSuite.Case("tpr",           &TprMasking,          null);
        TestSuite.Case("ppr",           &PprProbe,            null);
        TestSuite.Case("nested",        &Nested,              null);
        TestSuite.Case("nmi",           &Nmi,                 null);
        TestSuite.Case("timer",         &Timer,               null);
        TestSuite.Case("tscdeadline",   &TscDeadlineTimer,    &HasTscDeadline);
        TestSuite.Case("watchdog",      &HaltWatchdogBounds,  &HasTscDeadline);
        if (parked) UnparkAps();
        TestSuite.Case("smp",           &CrossCpu,            &TwoCpus);
        // Last: it leaves the run's mode, and a host that cannot re-enable the APIC (QEMU 7.2) stays out.
        TestSuite.Case("mode",          &ModeTransitions,     null);
        if (!TestSuite.Stopped) Report.Metric("spurious_interrupts", Apic.SpuriousCount, "count");
        TestSuite.Finish();
    }
}
