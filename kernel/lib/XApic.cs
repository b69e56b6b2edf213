namespace Kernel
{
    /// <summary>
    /// The xAPIC back end of <see cref="Apic"/>: registers are 32-bit words in the 4 KiB
    /// page at IA32_APIC_BASE (SDM vol. 3A 11.4.1), accessed one load or store at a time.
    /// </summary>
    public static unsafe class XApic
    {
        /// <summary>Physical (= identity-mapped) base of the register page.</summary>
        public static ulong Base = ApicRegisters.DefaultBase;

        public static uint Read(int offset) => Cpu.MmioRead32(Base + (ulong)offset);

        public static void Write(int offset, uint value) => Cpu.MmioWrite32(Base + (ulong)offset, value);

        /// <summary>
        /// Sends an IPI: ICR_HIGH (destination) first, then ICR_LOW, whose write is what
        /// sends (SDM 11.6.1). Waits, TSC-bounded, for the delivery status to go idle;
        /// returns false if it never did.
        /// </summary>
        public static bool SendIpi(uint destination, uint icrLow, ulong budgetCycles)
        {
            Write(ApicRegisters.IcrHigh, (destination & ApicRegisters.XApicIdMask) << ApicRegisters.XApicIcrDestinationShift);
            Write(ApicRegisters.IcrLow, icrLow);
            return WaitIcrIdle(budgetCycles);
        }

        /// <summary>Polls ICR delivery status (bit 12, read-only) until idle or the budget expires.</summary>
        public static bool WaitIcrIdle(ulong budgetCycles)
        {
            ulong start = Cpu.Rdtsc();
            while ((Read(ApicRegisters.IcrLow) & ApicRegisters.IcrDeliveryStatus) != 0)
            {
                if (Cpu.Rdtsc() - start > budgetCycles) return false;
                Cpu.Pause();
            }
            return true;
        }
    }
}
