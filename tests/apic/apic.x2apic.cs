using Kernel;

/// <summary>x2APIC MSR semantics: reserved bits and registers that fault (SDM 11.12).</summary>
internal static unsafe partial class TestKernel
{
    private static void X2ApicRegisters()
    {
        // Logical ID is derived from the x2APIC ID and read-only (SDM 11.12.10.2).
        uint id = Apic.Id;
        uint expectLdr = ((id >> ApicRegisters.X2ApicClusterShift) << ApicRegisters.X2ApicLdrClusterShift)
            | (1u << (int)(id & ApicRegisters.X2ApicLogicalIdMask));
        Report.CheckEqual("ldr_from_id", expectLdr, Apic.Ldr);

        // Writes to read-only registers #GP (SDM 11.12.1.2, table 11-6).
        ExpectWriteGp("write_gp.id", ApicRegisters.Id, 0);
        ExpectWriteGp("write_gp.version", ApicRegisters.Version, 0);
        ExpectWriteGp("write_gp.ppr", ApicRegisters.Ppr, 0);
        ExpectWriteGp("write_gp.ldr", ApicRegisters.Ldr, 0);
        ExpectWriteGp("write_gp.isr", ApicRegisters.Isr, 0);
        ExpectWriteGp("write_gp.tmr", ApicRegisters.Tmr, 0);
        ExpectWriteGp("write_gp.irr", ApicRegisters.Irr, 0);
        ExpectWriteGp("write_gp.timer_current_count", ApicRegisters.TimerCurrentCount, 0);
        // Reads of write-only registers #GP.
        ExpectReadGp("read_gp.eoi", ApicRegisters.Eoi);
        ExpectReadGp("read_gp.self_ipi", ApicRegisters.SelfIpi);
        // Registers that do not exist in x2APIC mode #GP either way.
        ExpectReadGp("read_gp.dfr", ApicRegisters.Dfr);
        ExpectReadGp("read_gp.icr_high", ApicRegisters.IcrHigh);
        ExpectReadGp("read_gp.apr", ApicRegisters.Apr);
        ExpectWriteGp("write_gp.dfr", ApicRegisters.Dfr, ApicRegisters.DfrFlat);

        // Non-zero writes to reserved bits #GP (SDM 11.12.1.3 "Reserved Bit Checking").
        ExpectWriteGp("reserved_gp.tpr_bits_63_32", ApicRegisters.Tpr, X2ApicBit32);
        ExpectWriteGp("reserved_gp.tpr_bits_31_8", ApicRegisters.Tpr, Bit8);
        Apic.Tpr = 0;
        ExpectWriteGp("reserved_gp.svr_bits_63_32", ApicRegisters.Svr, X2ApicBit32 | ApicRegisters.SvrEnable | Apic.SpuriousVectorDefault);
        // ESR must be written with 0 in x2APIC mode (SDM 11.12.1.2 table 11-6 note).
        ExpectWriteGp("reserved_gp.esr_nonzero", ApicRegisters.Esr, 1);
        // A non-zero EOI write #GPs (SDM 11.12.1.2, table 11-6: EOI "WO", value 0).
        ExpectWriteGp("reserved_gp.eoi_nonzero", ApicRegisters.Eoi, 1);
        // SELF IPI bits 31:8 are reserved. If the write is taken the IPI lands on VSink (absorbed).
        Idt.Set(VSink, &Sink);
        ExpectWriteGp("reserved_gp.self_ipi_bits_31_8", ApicRegisters.SelfIpi, Bit8 | VSink);
        InterruptWindow.Open(QuietUs);
        // ICR bits 17:16, 13 and 31:20 are reserved in x2APIC (SDM fig. 11-28).
        ExpectWriteGp("reserved_gp.icr_bit_13", ApicRegisters.IcrLow,
            VSink | ApicRegisters.IcrSelf | ApicRegisters.IcrLevelAssert | X2ApicIcrReservedBit13);
        InterruptWindow.Open(QuietUs);
        Apic.SvrRegister = ApicRegisters.SvrEnable | Apic.SpuriousVectorDefault;
        Apic.ClearErrors();
    }

    private static void ExpectWriteGp(string name, int offset, ulong value) =>
        Report.CheckEqual(name, Exceptions.GP, (ulong)(uint)X2Apic.WriteSafe(offset, value));

    private static void ExpectReadGp(string name, int offset)
    {
        ulong ignored;
        Report.CheckEqual(name, Exceptions.GP, (ulong)(uint)X2Apic.ReadSafe(offset, &ignored));
    }
}
