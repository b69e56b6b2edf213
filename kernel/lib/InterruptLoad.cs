namespace Kernel
{
    /// <summary>
    /// A steady interrupt load on the calling CPU (the BSP in the tests) for a fixed
    /// guest time: the interrupt-virtualization cost the KVM PV-EOI patch measured with
    /// `perf stat -e kvm:*` around a workload. Sources:
    ///   Timer — the local APIC timer in periodic mode (no guest action per interrupt
    ///           except the EOI, which is what PV-EOI removes);
    ///   Ipi   — fixed self-IPIs sent at the rate (one ICR / SELF IPI write each);
    ///   Msi   — QEMU's edu device raising an MSI to this CPU at the rate (one BAR write
    ///           each, plus the device acknowledge in the handler).
    /// The CPU never halts (a source that stops must not hang the guest): between sends it
    /// waits in a calibrated DEC/JNZ loop and reads the TSC about twice per period
    /// (RDTSC may exit); with the timer, once per millisecond.
    /// The handler ends each interrupt with <see cref="PvEoi.Eoi"/> when PV-EOI is enabled
    /// on this CPU, else with a plain <see cref="Apic.Eoi"/>. The caller sets up the APIC
    /// (and PV-EOI); results are in the static fields after <see cref="Run"/>.
    /// </summary>
    public static unsafe class InterruptLoad
    {
        public const int SourceTimer = 0, SourceIpi = 1, SourceMsi = 2;

        /// <summary>Interrupts taken between start and end (the figure judged against rate x time).</summary>
        public static long Delivered;
        /// <summary>Taken after the end while draining what was already sent or pending.</summary>
        public static long Drained;
        /// <summary>IPI/MSI sources: sends made (each must be delivered); timer: 0.</summary>
        public static long Sent;
        /// <summary>rate x ms / 1000.</summary>
        public static long Expected;
        public static long EoiWritten, EoiSkipped;
        /// <summary>TSC cycles from start to end, and the period the source was set to.</summary>
        public static ulong ElapsedCycles, PeriodCycles;
        /// <summary>
        /// TSC cycles of the run the host reported as stolen (the vCPU runnable, not running;
        /// <see cref="StealTime"/>), 0 where the host offers no steal time. Timer expiries
        /// while the vCPU does not run find the vector still pending and merge.
        /// </summary>
        public static ulong StolenCycles;
        public static bool StealTimeKnown;

        /// <summary>Expected, less the periods the host stole: interrupts the vCPU could take while it ran.</summary>
        public static long ExpectedWhileRunning
        {
            get
            {
                long lost = PeriodCycles == 0 ? 0 : (long)(StolenCycles / PeriodCycles);
                return lost >= Expected ? 0 : Expected - lost;
            }
        }
        /// <summary>Timer source: APIC timer ticks per second measured against the TSC, and the initial count used.</summary>
        public static ulong TimerHz;
        public static uint TimerInitialCount;
        /// <summary>Whether the handler used PV-EOI.</summary>
        public static bool UsedPvEoi;

        private static int s_problem;
        private const int ProblemNone = 0, ProblemArguments = 1, ProblemNoTsc = 2, ProblemNoApic = 3,
            ProblemTimerStill = 4, ProblemRateTooHigh = 5, ProblemEdu = 6, ProblemSource = 7;

        /// <summary>Why <see cref="Run"/> returned false.</summary>
        public static string Problem
        {
            get
            {
                switch (s_problem)
                {
                    case ProblemArguments: return "rate and ms must be positive";
                    case ProblemNoTsc: return "the TSC frequency is unknown";
                    case ProblemNoApic: return "the local APIC is not set up on this CPU";
                    case ProblemTimerStill: return "the APIC timer did not count down during calibration";
                    case ProblemRateTooHigh: return "the rate is above what the source can pace (period under one APIC timer tick or TSC cycle)";
                    case ProblemEdu: return Edu.Problem;
                    case ProblemSource: return "unknown source (timer, ipi or msi)";
                    default: return "none";
                }
            }
        }

        /// <summary>True when Run failed only because the MSI source has no edu device (a SKIP).</summary>
        public static bool SourceAbsent => s_problem == ProblemEdu && Edu.Absent;

        public static string SourceName(int source) =>
            source == SourceTimer ? "timer" : source == SourceIpi ? "ipi" : source == SourceMsi ? "msi" : "unknown";

        /// <summary>Parses timer|ipi|msi; -1 otherwise.</summary>
        public static int ParseSource(string key)
        {
            if (!CommandLine.Has(key) || CommandLine.Is(key, "timer")) return SourceTimer;
            if (CommandLine.Is(key, "ipi")) return SourceIpi;
            if (CommandLine.Is(key, "msi")) return SourceMsi;
            return -1;
        }

        private const ulong CalibrationUs = 10_000;
        /// <summary>Long enough to time on a native guest, short (about 0.2 s) on one whose instructions are emulated.</summary>
        private const ulong SpinCalibrationLoops = 50_000;
        private const ulong PerMillion = 1_000_000;
        private const ulong PerThousand = 1000;
        private const ulong MsPerSecond = 1000, UsPerMs = 1000;
        /// <summary>Spin for this fraction (per thousand) of the remaining time, then look at the TSC again.</summary>
        private const ulong SpinShare = 900;
        /// <summary>Timer source: the TSC is looked at this often while the timer runs.</summary>
        private const ulong ChunkUs = 1000;
        /// <summary>How long the end-of-run drain keeps interrupts open.</summary>
        private const ulong DrainUs = 10_000;
        private const uint RaiseValue = 1;

        private static long s_count;
        private static ulong s_steal0;
        private static int s_vector;
        private static int s_source;

        private static void OnInterruptPv(InterruptFrame* frame)
        {
            if (s_source == SourceMsi) Edu.Acknowledge(RaiseValue);
            s_count++;
            PvEoi.Eoi();
        }

        private static void OnInterruptPlain(InterruptFrame* frame)
        {
            if (s_source == SourceMsi) Edu.Acknowledge(RaiseValue);
            s_count++;
            Apic.Eoi();
        }

        /// <summary>
        /// Runs <paramref name="source"/> at <paramref name="ratePerSecond"/> for
        /// <paramref name="ms"/> milliseconds of TSC time on vector
        /// <paramref name="vector"/>, then stops it and drains. Returns false (see
        /// <see cref="Problem"/>) when it could not run. Leaves IF clear.
        /// </summary>
        public static bool Run(int source, ulong ratePerSecond, ulong ms, int vector)
        {
            Delivered = Drained = Sent = Expected = EoiWritten = EoiSkipped = 0;
            ElapsedCycles = PeriodCycles = TimerHz = StolenCycles = 0;
            TimerInitialCount = 0;
            s_count = 0;
            s_problem = ProblemNone;
            if (ratePerSecond == 0 || ms == 0) return Fail(ProblemArguments);
            if (Tsc.Hz == 0) return Fail(ProblemNoTsc);
            if (Apic.Mode == ApicMode.Disabled || Apic.HardwareMode == ApicMode.Disabled) return Fail(ProblemNoApic);
            if (source != SourceTimer && source != SourceIpi && source != SourceMsi) return Fail(ProblemSource);
            if (source == SourceMsi && !Edu.Open()) return Fail(ProblemEdu);

            Expected = (long)(ratePerSecond * ms / MsPerSecond);
            PeriodCycles = Tsc.Hz / ratePerSecond;
            if (PeriodCycles == 0) return Fail(ProblemRateTooHigh);

            Cpu.DisableInterrupts();
            s_vector = vector;
            s_source = source;
            UsedPvEoi = PvEoi.EnabledOnThisCpu;
            if (UsedPvEoi) Idt.Set(vector, &OnInterruptPv);
            else Idt.Set(vector, &OnInterruptPlain);
            int cpu = Smp.CurrentCpu;
            long skipped0 = PvEoi.SkippedOn(cpu), written0 = PvEoi.WrittenOn(cpu);
            // Registered once per CPU; the host updates the record on entry, without exits.
            if (StealTime.Supported && !StealTime.EnabledOnThisCpu) StealTime.Enable();
            StealTimeKnown = StealTime.EnabledOnThisCpu;
            s_steal0 = StealTime.Nanoseconds;

            bool ok;
            if (source == SourceTimer) ok = RunTimer(ratePerSecond, ms);
            else
            {
                if (source == SourceMsi) Edu.ProgramMsi(Apic.Id, vector);
                ok = RunPaced(source, ms);
            }
            if (source == SourceMsi) Edu.DisableMsi();
            Idt.Clear(vector);

            long total = s_count;
            Drained = total - Delivered;
            if (UsedPvEoi)
            {
                EoiSkipped = PvEoi.SkippedOn(cpu) - skipped0;
                EoiWritten = PvEoi.WrittenOn(cpu) - written0;
            }
            else EoiWritten = total;
            return ok;
        }

        private static bool Fail(int problem)
        {
            s_problem = problem;
            return false;
        }

        /// <summary>APIC timer ticks per second (divide by 1) against the TSC; 0 if it did not count.</summary>
        private static ulong CalibrateTimer()
        {
            ApicTimerCalibration cal;
            ApicTimerCalibration.Measure(s_vector, ApicRegisters.DivideBy1, CalibrationUs, &cal);
            return cal.Valid ? cal.TicksPerSecond : 0;
        }

        private static bool RunTimer(ulong ratePerSecond, ulong ms)
        {
            TimerHz = CalibrateTimer();
            if (TimerHz == 0) return Fail(ProblemTimerStill);
            ulong count = TimerHz / ratePerSecond;
            if (count == 0) return Fail(ProblemRateTooHigh);
            if (count > uint.MaxValue) count = uint.MaxValue;
            TimerInitialCount = (uint)count;

            ulong loopsPerMegaCycle = CalibrateSpin();
            ulong chunk = Tsc.MicrosecondsToCycles(ChunkUs);
            s_count = 0;
            ulong start = Cpu.Rdtsc();
            ulong end = start + Tsc.MicrosecondsToCycles(ms * UsPerMs);
            Apic.TimerPeriodic(s_vector, TimerInitialCount, ApicRegisters.DivideBy1);
            // Busy, not HLT: a timer that never fires must not hang the guest. The TSC is
            // read once per chunk (RDTSC may exit), the rest is DEC/JNZ.
            Cpu.EnableInterrupts();
            for (;;)
            {
                ulong now = Cpu.Rdtsc();
                if (now >= end) break;
                ulong wait = end - now < chunk ? end - now : chunk;
                Cpu.SpinLoop(SpinLoopsFor(wait, loopsPerMegaCycle));
            }
            Cpu.DisableInterrupts();
            Delivered = s_count;
            ElapsedCycles = Cpu.Rdtsc() - start;
            StolenCycles = StealTime.ToCycles(StealTime.Nanoseconds - s_steal0);
            Apic.TimerStop();
            // What is still pending (in IRR, or in flight from the device) is taken and EOId.
            InterruptWindow.Open(DrainUs);
            return true;
        }

        /// <summary>IPI and MSI: one send per period, from the calling CPU, interrupts open throughout.</summary>
        private static bool RunPaced(int source, ulong ms)
        {
            ulong loopsPerMegaCycle = CalibrateSpin();
            s_count = 0;
            long sent = 0;
            ulong start = Cpu.Rdtsc();
            ulong end = start + Tsc.MicrosecondsToCycles(ms * UsPerMs);
            ulong next = start;
            bool x2apic = Apic.Mode == ApicMode.X2Apic;
            Cpu.EnableInterrupts();
            for (;;)
            {
                ulong now = Cpu.Rdtsc();
                if (now >= end) break;
                if (now >= next)
                {
                    // Sends missed while the vCPU was not running are made up one per
                    // loop, so the total still tracks rate x time when the host allows.
                    if (source == SourceMsi) Edu.Raise(RaiseValue);
                    else if (x2apic) X2Apic.SelfIpi(s_vector);
                    else Apic.SelfIpi(s_vector);
                    sent++;
                    next += PeriodCycles;
                    continue;
                }
                ulong wait = next < end ? next - now : end - now;
                Cpu.SpinLoop(SpinLoopsFor(wait, loopsPerMegaCycle));
            }
            Cpu.DisableInterrupts();
            Delivered = s_count;
            ElapsedCycles = Cpu.Rdtsc() - start;
            StolenCycles = StealTime.ToCycles(StealTime.Nanoseconds - s_steal0);
            Sent = sent;
            // What is still pending (in IRR, or in flight from the device) is taken and EOId.
            InterruptWindow.Open(DrainUs);
            return true;
        }

        /// <summary>Iterations for a little less than <paramref name="cycles"/> (SpinShare of it).</summary>
        private static ulong SpinLoopsFor(ulong cycles, ulong loopsPerMegaCycle) =>
            cycles * SpinShare / PerThousand * loopsPerMegaCycle / PerMillion;

        /// <summary>
        /// DEC/JNZ iterations per million TSC cycles (at least 1): about a million when the
        /// guest runs natively, a few hundred where the host emulates guest instructions.
        /// </summary>
        private static ulong CalibrateSpin()
        {
            ulong t0 = Cpu.TimerBegin();
            Cpu.SpinLoop(SpinCalibrationLoops);
            ulong cycles = Cpu.TimerEnd() - t0;
            ulong perMega = cycles == 0 ? PerMillion : SpinCalibrationLoops * PerMillion / cycles;
            return perMega == 0 ? 1 : perMega;
        }

    }
}
