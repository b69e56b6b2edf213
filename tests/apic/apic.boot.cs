using Kernel;

/// <summary>Boot state and the mode choice (SDM 11.4, 11.4.3): the set-up rows every other row needs.</summary>
internal static unsafe partial class TestKernel
{
    /// <summary>The `cpuid` row: the APIC and the features the later rows look for.</summary>
    private static bool CpuidFeatures()
    {
        if (!Report.Check(Apic.Present, "apic", "CPUID.1:EDX.APIC[bit 9] is clear")) return false;
        Report.Metric("x2apic", Apic.X2ApicSupported ? 1 : 0, "bool");
        Report.Metric("tsc_deadline", Apic.TscDeadlineSupported ? 1 : 0, "bool");
        return true;
    }

    /// <summary>The `boot` row: IA32_APIC_BASE as reset left it.</summary>
    private static bool BootState()
    {
        ulong b = Apic.ReadBase();
        Report.InfoHex("apic_base", b);
        Report.Check((b & ApicBaseMsr.Enable) != 0, "enabled", "IA32_APIC_BASE.EN is clear after reset");
        Report.Check((b & ApicBaseMsr.Bsp) != 0, "bsp", "IA32_APIC_BASE.BSP is clear on the boot processor");
        Report.CheckEqual("xapic_mode", (ulong)ApicMode.XApic, (ulong)Apic.ModeOf(b));
        Report.CheckEqual("base_address", ApicRegisters.DefaultBase, b & ApicBaseMsr.AddressMask);
        return (b & ApicBaseMsr.Enable) != 0;
    }

    /// <summary>The `init` row: the APIC into the run's mode, software-enabled.</summary>
    private static bool ChooseMode()
    {
        Cpu.DisableInterrupts();
        if (!Report.Check(Apic.Init(s_mode), Report.Self, "could not put the APIC into the requested mode")) return false;
        Report.CheckEqual("hardware_mode", (ulong)s_mode, (ulong)Apic.HardwareMode);
        Report.Check(Apic.SoftwareEnabled, "software_enabled", "SVR bit 8 reads 0 after being set");
        Report.CheckEqual("spurious_vector", Apic.SpuriousVectorDefault, (ulong)Apic.SpuriousVector);
        return true;
    }
}
