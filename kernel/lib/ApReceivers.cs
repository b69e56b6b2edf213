namespace Kernel
{
    /// <summary>
    /// APs that listen for interrupts: each started CPU opens interrupts and spins until the
    /// BSP releases it or its lifetime runs out (it never spins forever), so a test can send
    /// IPIs or MSIs at it and count what its handlers see.
    /// </summary>
    public static unsafe class ApReceivers
    {
        /// <summary>How long <see cref="Start"/> waits for every receiver to report ready.</summary>
        public const ulong ReadyWaitUs = 1_000_000;

        private struct Flags { public fixed int Value[PerCpu.MaxCpus]; }
        private static Flags s_ready;
        private static volatile int s_release;
        private static ulong s_lifetimeUs;

        /// <summary>
        /// Starts receivers on the CPUs in [<paramref name="first"/>, <paramref name="last"/>],
        /// each listening at most <paramref name="lifetimeUs"/>; false if one could not be
        /// started or never reported ready. Call <see cref="Stop"/> either way.
        /// </summary>
        public static bool Start(int first, int last, ulong lifetimeUs)
        {
            s_release = 0;
            s_lifetimeUs = lifetimeUs;
            for (int c = first; c <= last; c++)
                if (!Smp.OnCpuAsync(c, &Listen, null)) return false;
            fixed (int* ready = s_ready.Value) return Smp.WaitFlags(ready, first, last, ReadyWaitUs);
        }

        /// <summary>Releases the receivers in [<paramref name="first"/>, <paramref name="last"/>] and waits until each is idle.</summary>
        public static void Stop(int first, int last)
        {
            s_release = 1;
            for (int c = first; c <= last; c++) Smp.WaitIdle(c);
            s_release = 0;
        }

        private static void Listen(void* arg)
        {
            int me = Smp.CurrentCpu;
            ulong end = Tsc.Deadline(s_lifetimeUs);
            s_ready.Value[me] = 1;
            Cpu.EnableInterrupts();
            while (s_release == 0 && !Tsc.Passed(end)) Cpu.Pause();
            Cpu.DisableInterrupts();
            s_ready.Value[me] = 0;
        }
    }
}
