namespace Kernel
{
    /// <summary>
    /// The local APIC timer's rate against the TSC. A masked one-shot from 0xFFFFFFFF counts
    /// down over a TSC interval, and the current count is read at both ends. The TSC windows
    /// around those reads bound the true interval: it lies in [MinCycles, MaxCycles]. So
    /// the calibration knows its own uncertainty, and a check can judge against the fastest
    /// rate the reads allow instead of a guessed tolerance.
    /// Filled field by field through a pointer: RyuJIT zeroes a struct initializer with SSE.
    /// </summary>
    public unsafe struct ApicTimerCalibration
    {
        public ulong Ticks, Cycles, MinCycles, MaxCycles;

        /// <summary>Current-count reads per end; the one in the narrowest TSC window is kept.</summary>
        private const int ReadTries = 3;
        private const ulong PerMillion = 1_000_000;

        /// <summary>
        /// Counts ticks over <paramref name="us"/> with <paramref name="divideConfig"/>, the LVT
        /// masked (<paramref name="vector"/> is what it would raise). Leaves the timer stopped.
        /// </summary>
        public static void Measure(int vector, uint divideConfig, ulong us, ApicTimerCalibration* result)
        {
            Apic.TimerStart(ApicRegisters.TimerOneShot, vector, uint.MaxValue, divideConfig, true);
            uint c0 = ReadCount(out ulong a0, out ulong a1);
            ulong end = a1 + Tsc.MicrosecondsToCycles(us);
            while (Cpu.Rdtsc() < end) Cpu.Pause();
            uint c1 = ReadCount(out ulong b0, out ulong b1);
            Apic.TimerStop();
            result->Ticks = c0 >= c1 ? c0 - c1 : 0;
            // Each read happened somewhere in its window: the midpoints give the estimate.
            result->Cycles = (b0 + b1) / 2 - (a0 + a1) / 2;
            result->MinCycles = b0 - a1;
            result->MaxCycles = b1 - a0;
        }

        /// <summary>
        /// The current count, read between two TSC reads a few times; keeps the narrowest
        /// window (the read is emulated, and a vCPU descheduled inside it widens the window).
        /// </summary>
        private static uint ReadCount(out ulong before, out ulong after)
        {
            uint best = 0;
            before = 0;
            after = ulong.MaxValue;
            for (int i = 0; i < ReadTries; i++)
            {
                ulong b = Cpu.Rdtsc();
                uint count = Apic.TimerCurrentCount;
                ulong a = Cpu.Rdtsc();
                if (a - b < after - before)
                {
                    best = count;
                    before = b;
                    after = a;
                }
            }
            return best;
        }

        public bool Valid => Ticks > 0 && Cycles > 0;

        /// <summary>TSC cycles per million timer ticks (the estimate); 0 when not <see cref="Valid"/>.</summary>
        public ulong CyclesPerMillionTicks => Ticks == 0 ? 0 : Cycles * PerMillion / Ticks;

        /// <summary>
        /// The fastest rate the reads allow (fewest cycles per tick: the shortest interval,
        /// and the count one tick further on): a timer interrupt is early only if it beats this.
        /// </summary>
        public ulong MinCyclesPerMillionTicks => MinCycles * PerMillion / (Ticks + 1);

        /// <summary>Half the width of [MinCycles, MaxCycles], in parts per million of the estimate.</summary>
        public ulong UncertaintyPpm => Cycles == 0 ? 0 : (MaxCycles - MinCycles) / 2 * PerMillion / Cycles;

        /// <summary>Timer ticks per second at this divide configuration; 0 when not <see cref="Valid"/> or the TSC rate is unknown.</summary>
        public ulong TicksPerSecond => Cycles == 0 ? 0 : Ticks * Tsc.Hz / Cycles;
    }
}
