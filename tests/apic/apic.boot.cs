using Kernel;

/// <summary>Boot state, the mode choice, and the APIC ID and version (SDM 11.4, 11.4.6, 11.4.8).</summary>
internal static unsafe partial class TestKernel
{
    private static bool BootState()
    {
        if (!Report.Check(Apic.Present, "apic.cpuid.apic", "CPUID.1:EDX.APIC[bit 9] is clear")) return false;
        ulong b = Apic.ReadBase();
        Report.InfoHex("apic.boot.apic_base", b);
        Report.Check((b & ApicBaseMsr.Enable) != 0, "apic.boot.enabled", "IA32_APIC_BASE.EN is clear after reset");
        Report.Check((b & ApicBaseMsr.Bsp) != 0, "apic.boot.bsp", "IA32_APIC_BASE.BSP is clear on the boot processor");
        Report.CheckEqual("apic.boot.xapic_mode", (ulong)ApicMode.XApic, (ulong)Apic.ModeOf(b));
        Report.CheckEqual("apic.boot.base_address", ApicRegisters.DefaultBase, b & ApicBaseMsr.AddressMask);
        Report.Metric("apic.cpuid.x2apic", Apic.X2ApicSupported ? 1 : 0, "bool");
        Report.Metric("apic.cpuid.tsc_deadline", Apic.TscDeadlineSupported ? 1 : 0, "bool");
        return (b & ApicBaseMsr.Enable) != 0;
    }

    private static bool ChooseMode()
    {
        Cpu.DisableInterrupts();
        if (!Report.Check(Apic.Init(s_mode), "apic.init", "could not put the APIC into the requested mode")) return false;
        Report.CheckEqual("apic.init.hardware_mode", (ulong)s_mode, (ulong)Apic.HardwareMode);
        Report.Check(Apic.SoftwareEnabled, "apic.init.software_enabled", "SVR bit 8 reads 0 after being set");
        Report.CheckEqual("apic.init.spurious_vector", Apic.SpuriousVectorDefault, (ulong)Apic.SpuriousVector);
        return true;
    }

    private static void IdAndVersion()
    {
        uint initialId = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
        uint id = Apic.Id;
        Report.Metric("apic.id", id, "count");
        Report.CheckEqual("apic.id.matches_cpuid_initial_id", initialId, id & ApicRegisters.XApicIdMask);
        Report.CheckEqual("apic.id.matches_percpu", PerCpu.Current->ApicId, id);
        if (s_mode == ApicMode.XApic)
        {
            uint raw = Apic.Read(ApicRegisters.Id);
            Report.CheckEqual("apic.id.xapic_bits_23_0_zero", 0, raw & ~(ApicRegisters.XApicIdMask << ApicRegisters.XApicIdShift));
        }
        else if (HasLeafB())
            Report.CheckEqual("apic.id.x2apic_matches_cpuid_leaf_b", Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Edx, id);
        else
            Report.Skip("apic.id.x2apic_matches_cpuid_leaf_b", "CPUID leaf 0xB not offered");

        uint version = Apic.Version, maxLvt = Apic.MaxLvt;
        Report.Metric("apic.version", version, "hex");
        Report.Metric("apic.version_register", Apic.VersionRegister, "hex");
        Report.Metric("apic.max_lvt", maxLvt, "count");
        Report.CheckRange("apic.version.integrated", version, ApicRegisters.IntegratedVersionMin, ApicRegisters.IntegratedVersionMax);
        // Timer, LINT0, LINT1, error at least (max LVT 3); thermal, perf and CMCI make 6.
        Report.CheckRange("apic.version.max_lvt", maxLvt, ApicRegisters.MaxLvtWithPerf - 1, ApicRegisters.MaxLvtWithCmci);
    }

    private static bool HasLeafB() =>
        Cpu.Cpuid(CpuidLeaves.Vendor).Eax >= CpuidLeaves.ExtendedTopology && Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Ebx != 0;
}
