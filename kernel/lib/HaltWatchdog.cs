namespace Kernel
{
    /// <summary>
    /// A TSC bound on code that halts until an interrupt: HLT has no timeout of its own, so a
    /// wake-up that never comes would halt the vCPU for good. The local APIC timer, in
    /// TSC-deadline mode on a vector of its own, fires once per <see cref="PeriodUs"/>; when
    /// the caller's progress counter has not moved since the last firing, the watchdog has
    /// expired: it records what the CPU and its APIC looked like (the halted RIP, IRR, ISR,
    /// PPR) and fires no more, and the caller stops halting and fails naming what never came.
    /// A run that makes progress sees at most one firing per period (none in a short case).
    /// Its vector is in a priority class above the ones the waits expect, so an interrupt
    /// left in service below it cannot block it too.
    /// </summary>
    public static unsafe class HaltWatchdog
    {
        /// <summary>Priority class 14: above every vector the benchmarks wait for (0xB0, 0xB1).</summary>
        public const int Vector = 0xEE;
        /// <summary>The benchmarks' period: a second with no wake-up means it was lost.</summary>
        public const ulong PeriodUs = 1_000_000;
        private const int IsrIrrWords = ApicRegisters.VectorCount / ApicRegisters.BitsPerBank;

        private static int* s_progress;
        private static int s_lastProgress, s_watchedVector;
        private static volatile int s_expired;
        private static ulong s_period;
        private static ulong s_rip, s_rflags;
        private static uint s_tpr;
        private static int s_firings;
        private struct Words { public fixed uint Isr[IsrIrrWords]; public fixed uint Irr[IsrIrrWords]; }
        private static Words s_state;

        public static bool Expired => s_expired != 0;

        /// <summary>
        /// Arms the watchdog over <paramref name="progress"/> (a count the awaited interrupt's
        /// handler raises; a static, which never moves in this kernel: it has no GC) for a wait on <paramref name="watchedVector"/>. Null when armed, else
        /// why this CPU cannot bound the wait (then nothing may halt on it). A wait expires after
        /// one to two <paramref name="periodUs"/> without progress.
        /// </summary>
        public static string? Start(int* progress, int watchedVector, ulong periodUs = PeriodUs)
        {
            if (!Apic.TscDeadlineSupported) return "CPUID.1:ECX.TSC_Deadline[24] is clear: no TSC-deadline timer to bound the halts";
            Idt.Set(Vector, &OnFire);
            s_progress = progress;
            s_lastProgress = *progress;
            s_watchedVector = watchedVector;
            s_expired = 0;
            s_firings = 0;
            s_period = Tsc.MicrosecondsToCycles(periodUs);
            Apic.TimerTscDeadline(Vector, Cpu.Rdtsc() + s_period);
            return null;
        }

        /// <summary>Disarms it; null when the wait never expired, else what never came, with the recorded state (as info lines).</summary>
        public static string? Stop(string prefix, string name)
        {
            Apic.TimerStop();
            Report.Metric(prefix, name, ".watchdog_firings", s_firings, "count");
            if (s_expired == 0) return null;
            Report.InfoHex("watchdog.rip", s_rip);
            Report.InfoHex("watchdog.rflags", s_rflags);
            Report.InfoHex("watchdog.tpr", s_tpr);
            Report.InfoHex("watchdog.watched_vector", (ulong)s_watchedVector);
            fixed (uint* isr = s_state.Isr) fixed (uint* irr = s_state.Irr)
            {
                Report.Metric("watchdog.watched_in_irr", Bit(irr, s_watchedVector), "bool");
                Report.Metric("watchdog.watched_in_isr", Bit(isr, s_watchedVector), "bool");
                Report.Metric("watchdog.highest_irr", Highest(irr), "vector");
                Report.Metric("watchdog.highest_isr_below_watchdog", Highest(isr), "vector");
            }
            Report.Metric("watchdog.masked_deliveries", MaskedDelivery.Count, "count");
            return "no interrupt woke the halted CPU for a whole watchdog period (HaltWatchdog.PeriodUs of TSC): the awaited vector never came (see the watchdog.* lines: RIP, TPR, ISR and IRR when the watchdog fired)";
        }

        private static long Bit(uint* words, int vector) => (words[vector / ApicRegisters.BitsPerBank] >> (vector % ApicRegisters.BitsPerBank)) & 1;

        /// <summary>The highest vector set, -1 if none.</summary>
        private static long Highest(uint* words)
        {
            for (int v = ApicRegisters.VectorCount - 1; v >= 0; v--) if (Bit(words, v) != 0) return v;
            return -1;
        }

        private static void OnFire(InterruptFrame* frame)
        {
            s_firings++;
            int now = *s_progress;
            if (now != s_lastProgress)
            {
                s_lastProgress = now;
                Apic.TscDeadline = Cpu.Rdtsc() + s_period;
                Apic.Eoi();
                return;
            }
            s_rip = frame->Rip;
            s_rflags = frame->Rflags;
            s_tpr = Apic.Tpr;
            fixed (uint* isr = s_state.Isr) fixed (uint* irr = s_state.Irr)
            {
                for (int w = 0; w < IsrIrrWords; w++)
                {
                    isr[w] = Apic.Read(ApicRegisters.Isr + w * ApicRegisters.BankStride);
                    irr[w] = Apic.Read(ApicRegisters.Irr + w * ApicRegisters.BankStride);
                }
                // Its own ISR bit is no part of the picture: leave it out.
                isr[Vector / ApicRegisters.BitsPerBank] &= ~(1u << (Vector % ApicRegisters.BitsPerBank));
            }
            s_expired = 1;
            Apic.Eoi();
        }
    }
}
