namespace Kernel
{
    /// <summary>
    /// KVM steal time (Documentation/virt/kvm/x86/msr.rst, MSR_KVM_STEAL_TIME): each CPU
    /// registers a 64-byte record in which the host accumulates the nanoseconds its vCPU
    /// was runnable but not running (the host ran something else). Latency checks use it
    /// to tell what the hypervisor did from what the host scheduler did.
    /// </summary>
    public static unsafe class StealTime
    {
        /// <summary>MSR_KVM_STEAL_TIME.</summary>
        public const uint Msr = 0x4B564D03;
        /// <summary>KVM_MSR_ENABLED: bit 0 of the MSR value; bits 5:1 are reserved (64-byte alignment).</summary>
        public const ulong MsrEnabled = 1;
        public const ulong RecordAlignment = 64;
        private const ulong NanosecondsPerMillisecond = 1_000_000, MillisecondsPerSecond = 1000;

        /// <summary>struct kvm_steal_time: 64 bytes, written by the host when it enters the vCPU.</summary>
        private struct Record
        {
            public ulong Steal;
            /// <summary>Odd while the host is writing the record.</summary>
            public volatile uint Version;
            public uint Flags;
            public byte Preempted;
            public fixed byte Pad8[3];
            public fixed uint Pad32[11];
        }

        // One record per CPU, plus room to round the start up to RecordAlignment.
        private struct Area { public fixed byte Bytes[(PerCpu.MaxCpus + 1) * 64]; }
        private struct Flags { public fixed int Value[PerCpu.MaxCpus]; }
        private static Area s_area;
        private static Flags s_enabled;

        public static bool Supported => KvmPv.Has(KvmPv.FeatureStealTime);

        private static Record* RecordOf(int cpu)
        {
            fixed (byte* b = s_area.Bytes)
            {
                ulong start = ((ulong)b + RecordAlignment - 1) & ~(RecordAlignment - 1);
                return (Record*)start + cpu;
            }
        }

        /// <summary>
        /// Registers this CPU's record (identity map: its address is its physical address).
        /// Returns <see cref="Cpu.NoFault"/> or the exception vector (#GP without the feature).
        /// </summary>
        public static int Enable()
        {
            int cpu = Smp.CurrentCpu;
            Record* r = RecordOf(cpu);
            int fault = Cpu.WriteMsrSafe(Msr, (ulong)r | MsrEnabled);
            s_enabled.Value[cpu] = fault == Cpu.NoFault ? 1 : 0;
            return fault;
        }

        public static bool EnabledOnThisCpu => s_enabled.Value[Smp.CurrentCpu] != 0;

        /// <summary>
        /// Nanoseconds this CPU has been kept from running since <see cref="Enable"/>; 0 when
        /// steal time is not enabled here. Reads a consistent snapshot (even version, unchanged).
        /// </summary>
        public static ulong Nanoseconds
        {
            get
            {
                int cpu = Smp.CurrentCpu;
                if (s_enabled.Value[cpu] == 0) return 0;
                Record* r = RecordOf(cpu);
                for (;;)
                {
                    uint version = r->Version;
                    ulong steal = r->Steal;
                    if ((version & 1) == 0 && r->Version == version) return steal;
                    Cpu.Pause();
                }
            }
        }

        /// <summary>Steal nanoseconds as TSC cycles (0 before the TSC is calibrated).</summary>
        public static ulong ToCycles(ulong ns) =>
            ns * (Tsc.Hz / MillisecondsPerSecond) / NanosecondsPerMillisecond;
    }
}
