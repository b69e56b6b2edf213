namespace Kernel
{
    /// <summary>
    /// The x2APIC back end of <see cref="Apic"/>: registers are MSRs 0x800 + offset / 16
    /// (SDM vol. 3A 11.12.1.2). RDMSR/WRMSR of a register that does not exist in
    /// x2APIC mode, of a read-only register, of a write-only one, or with reserved bits
    /// set must #GP: the *Safe functions let a test see that.
    /// </summary>
    public static unsafe class X2Apic
    {
        public static uint Read(int offset) => (uint)Cpu.ReadMsr(ApicRegisters.MsrFor(offset));

        public static void Write(int offset, uint value) => Cpu.WriteMsr(ApicRegisters.MsrFor(offset), value);

        /// <summary>RDMSR of the register; returns <see cref="Cpu.NoFault"/> or the exception vector.</summary>
        public static int ReadSafe(int offset, ulong* value) => Cpu.ReadMsrSafe(ApicRegisters.MsrFor(offset), value);

        /// <summary>WRMSR of the full 64-bit value; returns <see cref="Cpu.NoFault"/> or the exception vector.</summary>
        public static int WriteSafe(int offset, ulong value) => Cpu.WriteMsrSafe(ApicRegisters.MsrFor(offset), value);

        /// <summary>
        /// Sends an IPI with one 64-bit ICR write (destination in bits 63:32, SDM 11.12.9).
        /// WRMSR to x2APIC registers is not serializing (SDM 11.12.3): the fence orders
        /// earlier stores (a flag the target will read) before the IPI.
        /// </summary>
        public static void SendIpi(uint destination, uint icrLow)
        {
            Cpu.MemoryFence();
            Cpu.WriteMsr(ApicRegisters.X2ApicIcrMsr, ((ulong)destination << ApicRegisters.X2ApicIcrDestinationShift) | icrLow);
        }

        /// <summary>The SELF IPI register (MSR 0x83F): a fixed, edge IPI to this CPU (SDM 11.12.11).</summary>
        public static void SelfIpi(int vector)
        {
            Cpu.MemoryFence();
            Cpu.WriteMsr(ApicRegisters.X2ApicSelfIpiMsr, (uint)vector & ApicRegisters.SelfIpiVectorMask);
        }
    }
}
