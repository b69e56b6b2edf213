namespace Kernel
{
    /// <summary>
    /// The time-stamp counter: its frequency (from CPUID, the hypervisor, kvmclock or
    /// the PIT, in that order), deadlines for bounded waits, and the cost of reading it.
    /// </summary>
    public static unsafe class Tsc
    {
        public static ulong Hz;
        // Statics of reference type need a GC the guest does not have: keep an index.
        private static int s_source;
        private const int SourceNone = 0, SourceHypervisorLeaf = 1, SourceCpuid15 = 2, SourceKvmClock = 3, SourcePit = 4, SourceGuess = 5;

        public static string Source
        {
            get
            {
                switch (s_source)
                {
                    case SourceHypervisorLeaf: return "cpuid-0x40000010";
                    case SourceCpuid15: return "cpuid-0x15";
                    case SourceKvmClock: return "kvmclock";
                    case SourcePit: return "pit";
                    case SourceGuess: return "fallback-guess";
                    default: return "none";
                }
            }
        }

        private const ulong FallbackHz = 2_000_000_000;     // only if every source fails; reported as such

        // KVM paravirtual clock (Documentation/virt/kvm/x86/msr.rst).
        private const uint MsrKvmSystemTimeNew = 0x4B564D01;
        private const ulong KvmSystemTimeEnable = 1;
        private const int PvclockMulOffset = 24, PvclockShiftOffset = 28, PvclockSize = 32;

        // i8254 PIT channel 0, polled (no interrupt needed).
        private const ushort PitChannel0 = 0x40, PitCommand = 0x43;
        private const byte PitCh0LoHiMode0 = 0x30, PitCh0Latch = 0x00;
        private const ulong PitHz = 1_193_182;
        private const int PitCalibrationTicks = 11_932;     // 10 ms

        private struct PvclockPage { public fixed byte Bytes[4096]; }
        private static PvclockPage s_pvclock;

        public static void Calibrate()
        {
            if (FromHypervisorLeaf() || FromCpuidLeaf15() || FromKvmClock() || FromPit()) return;
            Hz = FallbackHz;
            s_source = SourceGuess;
        }

        private static bool FromHypervisorLeaf()
        {
            if (!CpuidLeaves.Has(Cpu.Cpuid(CpuidLeaves.Features).Ecx, CpuidLeaves.EcxHypervisor)) return false;
            if (Cpu.Cpuid(CpuidLeaves.HypervisorBase).Eax < CpuidLeaves.HypervisorTiming) return false;
            uint khz = Cpu.Cpuid(CpuidLeaves.HypervisorTiming).Eax;
            if (khz == 0) return false;
            Hz = (ulong)khz * 1000;
            s_source = SourceHypervisorLeaf;
            return true;
        }

        private static bool FromCpuidLeaf15()
        {
            if (Cpu.Cpuid(CpuidLeaves.Vendor).Eax < CpuidLeaves.TscFrequency) return false;
            CpuidResult r = Cpu.Cpuid(CpuidLeaves.TscFrequency);
            if (r.Eax == 0 || r.Ebx == 0 || r.Ecx == 0) return false;
            Hz = (ulong)r.Ecx * r.Ebx / r.Eax;
            s_source = SourceCpuid15;
            return true;
        }

        private static bool FromKvmClock()
        {
            if (!KvmPv.Has(KvmPv.FeatureClocksource2)) return false;
            fixed (byte* page = s_pvclock.Bytes)
            {
                if (Cpu.WriteMsrSafe(MsrKvmSystemTimeNew, (ulong)page | KvmSystemTimeEnable) != Cpu.NoFault) return false;
                uint mul = *(uint*)(page + PvclockMulOffset);
                sbyte shift = *(sbyte*)(page + PvclockShiftOffset);
                Cpu.WriteMsrSafe(MsrKvmSystemTimeNew, 0);
                if (mul == 0) return false;
                // ns = ((tsc << shift) * mul) >> 32, so Hz = 1e9 * 2^32 / mul / 2^shift.
                ulong hz = (1_000_000_000UL << 32) / mul;
                Hz = shift >= 0 ? hz >> shift : hz << -shift;
            }
            s_source = SourceKvmClock;
            return Hz != 0;
        }

        private static bool FromPit()
        {
            Cpu.OutB(PitCommand, PitCh0LoHiMode0);
            Cpu.OutB(PitChannel0, 0xFF);
            Cpu.OutB(PitChannel0, 0xFF);
            int first = ReadPit();
            ulong start = Cpu.Rdtsc();
            // A PIT that does not count (absent) must not hang the guest: give up after
            // a generous number of reads.
            for (int reads = 0; reads < 10_000_000; reads++)
            {
                int now = ReadPit();
                if (first - now >= PitCalibrationTicks)
                {
                    ulong cycles = Cpu.Rdtsc() - start;
                    Hz = cycles * PitHz / (ulong)(first - now);
                    s_source = SourcePit;
                    return true;
                }
            }
            return false;
        }

        private static int ReadPit()
        {
            Cpu.OutB(PitCommand, PitCh0Latch);
            int lo = Cpu.InB(PitChannel0);
            int hi = Cpu.InB(PitChannel0);
            return lo | (hi << 8);
        }

        public static ulong MicrosecondsToCycles(ulong us) => us * (Hz / 1_000_000);

        /// <summary>The TSC value <paramref name="us"/> microseconds from now.</summary>
        public static ulong Deadline(ulong us) => Cpu.Rdtsc() + MicrosecondsToCycles(us);

        public static bool Passed(ulong deadline) => Cpu.Rdtsc() >= deadline;

        public static void DelayMicroseconds(ulong us)
        {
            ulong end = Deadline(us);
            while (!Passed(end)) Cpu.Pause();
        }

        /// <summary>
        /// Cost of an empty timed region (TimerBegin; TimerEnd), min and median over
        /// <paramref name="samples"/> (at most 256). Every cycle figure is reported with it.
        /// </summary>
        public static void MeasureOverhead(int samples, out ulong min, out ulong median)
        {
            if (samples > 256) samples = 256;
            ulong* d = stackalloc ulong[256];
            for (int i = 0; i < samples; i++)
            {
                ulong t0 = Cpu.TimerBegin();
                ulong t1 = Cpu.TimerEnd();
                d[i] = t1 - t0;
            }
            Sort.Ascending(d, samples);
            min = d[0];
            median = d[samples / 2];
        }
    }
}
