using Kernel;

/// <summary>IA32_APIC_BASE mode transitions (SDM 11.12.5); run last, as a host that cannot re-enable ends here.</summary>
internal static unsafe partial class TestKernel
{
    private static void ExpectBaseWrite(string name, ulong value, int expected) =>
        Report.CheckEqual(name, (ulong)(uint)expected, (ulong)(uint)Apic.WriteBaseSafe(value));

    private static void ModeTransitions()
    {
        Cpu.DisableInterrupts();
        Apic.TimerStop();
        ulong orig = Apic.ReadBase();
        ulong plain = orig & ~(ApicBaseMsr.Enable | ApicBaseMsr.Extd);
        ulong xapic = plain | ApicBaseMsr.Enable, x2apic = xapic | ApicBaseMsr.Extd, invalid = plain | ApicBaseMsr.Extd;

        // Start from xAPIC (the legal way out of x2APIC is through disabled).
        if (Apic.ModeOf(orig) == ApicMode.X2Apic) { Apic.WriteBaseSafe(plain); Apic.WriteBaseSafe(xapic); }
        Report.CheckEqual("start_in_xapic", (ulong)ApicMode.XApic, (ulong)Apic.HardwareMode);

        ExpectBaseWrite("xapic_to_invalid_gp", invalid, Exceptions.GP);
        ExpectBaseWrite("reserved_bit0_gp", xapic | ApicBaseReservedBit0, Exceptions.GP);
        ExpectBaseWrite("reserved_bit9_gp", xapic | ApicBaseReservedBit9, Exceptions.GP);
        CpuidResult ext = Cpu.Cpuid(CpuidLeaves.ExtendedMax);
        const uint addressSizes = 0x80000008;
        const uint physBitsMask = 0xFF;
        const int maxAddressBits = 52;
        if (ext.Eax >= addressSizes)
        {
            int physBits = (int)(Cpu.Cpuid(addressSizes).Eax & physBitsMask);
            Report.Metric("maxphyaddr", physBits, "count");
            if (physBits < maxAddressBits) ExpectBaseWrite("base_above_maxphyaddr_gp", xapic | (1ul << physBits), Exceptions.GP);
        }
        // A write that wrongly succeeded must not leave us in an odd state.
        if (Apic.ReadBase() != xapic) Apic.WriteBaseSafe(xapic);

        if (Apic.X2ApicSupported)
        {
            ExpectBaseWrite("xapic_to_x2apic", x2apic, Cpu.NoFault);
            Report.CheckEqual("x2apic_entered", (ulong)ApicMode.X2Apic, (ulong)Apic.HardwareMode);
            // The illegal transition (SDM 11.12.5, fig. 11-27).
            Report.CheckEqual("x2apic_to_xapic_gp", (ulong)Exceptions.GP, (ulong)(uint)Apic.TryX2ApicToXApic());
            Report.CheckEqual("x2apic_kept_after_gp", (ulong)ApicMode.X2Apic, (ulong)Apic.HardwareMode);
            ExpectBaseWrite("x2apic_to_invalid_gp", invalid, Exceptions.GP);
            ExpectBaseWrite("x2apic_to_disabled", plain, Cpu.NoFault);
            Report.CheckEqual("disabled_entered", (ulong)ApicMode.Disabled, (ulong)Apic.HardwareMode);
            Report.Check(!Apic.Present, "disabled_clears_cpuid_apic", "CPUID.1:EDX.APIC still set with the APIC disabled");
            ExpectBaseWrite("disabled_to_invalid_gp", invalid, Exceptions.GP);
            ExpectBaseWrite("disabled_to_x2apic_gp", x2apic, Exceptions.GP);
            ExpectBaseWrite("disabled_to_xapic", xapic, Cpu.NoFault);
        }
        else
        {
            ExpectBaseWrite("x2apic_unsupported_gp", x2apic, Exceptions.GP);
            if (Apic.ReadBase() != xapic) Apic.WriteBaseSafe(xapic);
            ExpectBaseWrite("xapic_to_disabled", plain, Cpu.NoFault);
            Report.CheckEqual("disabled_entered", (ulong)ApicMode.Disabled, (ulong)Apic.HardwareMode);
            Report.Check(!Apic.Present, "disabled_clears_cpuid_apic", "CPUID.1:EDX.APIC still set with the APIC disabled");
            ExpectBaseWrite("disabled_to_invalid_gp", invalid, Exceptions.GP);
            ExpectBaseWrite("disabled_to_xapic", xapic, Cpu.NoFault);
        }
        Report.CheckEqual("xapic_reentered", (ulong)ApicMode.XApic, (ulong)Apic.HardwareMode);
        Report.Check(Apic.Present, "enabled_sets_cpuid_apic", "CPUID.1:EDX.APIC clear with the APIC enabled again");

        // Back to the run's mode, set up again, and still working.
        if (!Report.Check(Apic.Init(s_mode), "restore", "could not return to the run's APIC mode")) return;
        uint initialId = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
        Report.CheckEqual("id_after_reenable", initialId, Apic.Id & ApicRegisters.XApicIdMask);
        ResetLog();
        Apic.SelfIpi(VSelf);
        Report.Check(WaitLog(1) && s_log.Vector[0] == VSelf, "self_ipi_after_restore", "a self-IPI after the mode round trip never arrived");
    }
}
