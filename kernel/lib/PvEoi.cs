namespace Kernel
{
    /// <summary>
    /// KVM paravirtual end of interrupt (Documentation/virt/kvm/x86/msr.rst,
    /// MSR_KVM_PV_EOI_EN). Each CPU registers a 4-byte-aligned word of guest RAM; the
    /// host sets its bit 0 (KVM_PV_EOI_ENABLED) when it injects an interrupt whose EOI it
    /// can take from memory (one vector in service, nothing else pending, no I/O APIC
    /// EOI needed). The guest then ends the interrupt by clearing that bit with one
    /// atomic test-and-clear instead of an APIC EOI write (an exit), and the host sees
    /// the cleared bit at its next exit. When the bit is clear the APIC EOI is required.
    /// Handlers call <see cref="Eoi"/>, which picks the right one and counts which.
    /// </summary>
    public static unsafe class PvEoi
    {
        /// <summary>MSR_KVM_PV_EOI_EN.</summary>
        public const uint Msr = 0x4B564D04;
        /// <summary>KVM_MSR_ENABLED: bit 0 of the MSR value.</summary>
        public const ulong MsrEnabled = 1;
        /// <summary>Bit 1 of the MSR value is reserved (must be zero): the address is 4-byte aligned.</summary>
        public const ulong MsrReservedBit1 = 1 << 1;
        public const ulong AddressAlignment = 4;
        /// <summary>KVM_PV_EOI_BIT: bit 0 of the word, set by the host.</summary>
        public const int PendingBit = 0;
        public const ulong PendingMask = 1ul << PendingBit;

        // One word per CPU; ulong keeps each 8-byte (so 4-byte) aligned.
        private struct Words { public fixed ulong Value[PerCpu.MaxCpus]; }
        private struct Counts { public fixed int Value[PerCpu.MaxCpus]; }
        private static Words s_words;
        private static Counts s_enabled, s_skipped, s_written, s_strayBits;

        public static bool Supported => KvmPv.Has(KvmPv.FeaturePvEoi);

        /// <summary>The PV-EOI word of CPU <paramref name="cpu"/> (identity map: also its physical address).</summary>
        public static ulong* WordOf(int cpu)
        {
            fixed (ulong* w = s_words.Value) return w + cpu;
        }

        /// <summary>What this CPU writes to the MSR to enable PV-EOI.</summary>
        public static ulong EnableValue => (ulong)WordOf(Smp.CurrentCpu) | MsrEnabled;

        /// <summary>
        /// Zeroes this CPU's word and registers it with the MSR (guarded: returns
        /// <see cref="Cpu.NoFault"/> or the exception vector, e.g. #GP without PV-EOI).
        /// </summary>
        public static int Enable()
        {
            int cpu = Smp.CurrentCpu;
            ulong* word = WordOf(cpu);
            if (((ulong)word & (AddressAlignment - 1)) != 0) return Exceptions.GP;
            *word = 0;
            int fault = Cpu.WriteMsrSafe(Msr, (ulong)word | MsrEnabled);
            s_enabled.Value[cpu] = fault == Cpu.NoFault ? 1 : 0;
            return fault;
        }

        /// <summary>Writes 0 to the MSR: the host stops using the word; EOIs go to the APIC again.</summary>
        public static int Disable()
        {
            int cpu = Smp.CurrentCpu;
            int fault = Cpu.WriteMsrSafe(Msr, 0);
            if (fault == Cpu.NoFault) s_enabled.Value[cpu] = 0;
            return fault;
        }

        /// <summary>RDMSR MSR_KVM_PV_EOI_EN, guarded.</summary>
        public static int ReadMsr(out ulong value)
        {
            ulong v = 0;
            int fault = Cpu.ReadMsrSafe(Msr, &v);
            value = v;
            return fault;
        }

        public static bool EnabledOnThisCpu => s_enabled.Value[Smp.CurrentCpu] != 0;

        /// <summary>
        /// End of interrupt for the calling CPU. With PV-EOI enabled: LOCK BTR of bit 0 of
        /// the word; if it was set the host takes the EOI from memory and nothing is
        /// written (returns true); otherwise the APIC EOI is written. With PV-EOI disabled
        /// the APIC EOI is always written, and a set bit (the host must not touch the word
        /// then) is counted as stray. The test-and-clear must be one instruction: the host
        /// may clear the bit at any exit in between (msr.rst).
        /// </summary>
        public static bool Eoi()
        {
            int cpu = Smp.CurrentCpu;
            ulong* word = WordOf(cpu);
            if (s_enabled.Value[cpu] != 0)
            {
                if (Atomic.TestAndClear(word, PendingBit))
                {
                    fixed (int* n = s_skipped.Value) Atomic.FetchAdd(n + cpu, 1);
                    return true;
                }
            }
            else if ((*word & PendingMask) != 0)
            {
                fixed (int* n = s_strayBits.Value) Atomic.FetchAdd(n + cpu, 1);
            }
            Apic.Eoi();
            fixed (int* n = s_written.Value) Atomic.FetchAdd(n + cpu, 1);
            return false;
        }

        /// <summary>EOIs the host took from memory (no APIC write) on <paramref name="cpu"/>.</summary>
        public static int SkippedOn(int cpu) => s_skipped.Value[cpu];
        /// <summary>EOIs written to the APIC on <paramref name="cpu"/>.</summary>
        public static int WrittenOn(int cpu) => s_written.Value[cpu];
        /// <summary>EOIs on <paramref name="cpu"/> that found bit 0 set while PV-EOI was disabled there.</summary>
        public static int StrayBitsOn(int cpu) => s_strayBits.Value[cpu];

        public static long Skipped => Sum(ref s_skipped);
        public static long Written => Sum(ref s_written);
        public static long StrayBits => Sum(ref s_strayBits);

        private static long Sum(ref Counts c)
        {
            long total = 0;
            for (int i = 0; i < PerCpu.MaxCpus; i++) total += c.Value[i];
            return total;
        }

        /// <summary>Zeroes the counters of the calling CPU.</summary>
        public static void ResetCounters()
        {
            int cpu = Smp.CurrentCpu;
            s_skipped.Value[cpu] = 0;
            s_written.Value[cpu] = 0;
            s_strayBits.Value[cpu] = 0;
        }

        /// <summary>Zeroes every CPU's counters (call while no handler runs).</summary>
        public static void ResetAllCounters()
        {
            for (int i = 0; i < PerCpu.MaxCpus; i++)
            {
                s_skipped.Value[i] = 0;
                s_written.Value[i] = 0;
                s_strayBits.Value[i] = 0;
            }
        }
    }
}
