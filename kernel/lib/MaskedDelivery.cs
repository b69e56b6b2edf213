namespace Kernel
{
    /// <summary>
    /// Interrupts that arrive with RFLAGS.IF clear on a vector a maskable interrupt uses
    /// (32 and up). The SDM delivers maskable interrupts only while IF is set (6.8.1), and no
    /// code here raises those vectors with INT n, so such a delivery did not come from the
    /// local APIC at all: it is the hypervisor (or its emulator) entering the vector a second
    /// time, typically into the first delivery's handler, which runs with IF clear.
    /// Such an entry sets no ISR bit, so the dispatcher neither runs the handler nor EOIs
    /// (an EOI would retire an in-service vector early); the tests then judge only the
    /// deliveries a real APIC made, and <see cref="Judge"/> fails the run for the entry itself.
    /// </summary>
    public static unsafe class MaskedDelivery
    {
        private static int s_count;
        private static int s_firstVector;
        private static int s_firstCpu;
        private static ulong s_firstRip;

        public static int Count => s_count;

        /// <summary>Whether an entry on <paramref name="vector"/> with <paramref name="rflags"/> saved is one.</summary>
        public static bool Is(int vector, ulong rflags) => vector >= Exceptions.FirstExternal && (rflags & Cpu.RflagsIF) == 0;

        public static void Record(int vector, ulong rip)
        {
            int before;
            fixed (int* count = &s_count) before = Atomic.FetchAdd(count, 1);
            if (before != 0) return;
            s_firstVector = vector;
            s_firstRip = rip;
            s_firstCpu = PerCpu.Current->Index;
        }

        /// <summary>
        /// A failed check when any arrived (and nothing otherwise, so kernels that never see
        /// one keep their check counts), with the first one's vector, RIP and CPU.
        /// </summary>
        public static void Judge()
        {
            if (s_count == 0) return;
            Report.Metric("irq.masked_deliveries", s_count, "count");
            Report.InfoHex("irq.masked_delivery.first_vector", (ulong)s_firstVector);
            Report.InfoHex("irq.masked_delivery.first_rip", s_firstRip);
            Report.Metric("irq.masked_delivery.first_cpu", s_firstCpu, "count");
            Report.Check(false, "irq.no_delivery_while_if_clear",
                "a maskable-interrupt vector was entered with RFLAGS.IF clear (not from the APIC: its handler was not run)");
        }
    }
}
