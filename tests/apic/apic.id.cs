using Kernel;

/// <summary>The APIC ID and version registers (SDM 11.4.6, 11.4.8).</summary>
internal static unsafe partial class TestKernel
{
    /// <summary>The `id` row: the ID agrees with CPUID and with what start-up recorded.</summary>
    private static void IdRegister()
    {
        uint initialId = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
        uint id = Apic.Id;
        Report.Metric(Report.Self, id, "count");
        Report.CheckEqual("matches_cpuid_initial_id", initialId, id & ApicRegisters.XApicIdMask);
        Report.CheckEqual("matches_percpu", PerCpu.Current->ApicId, id);
        if (s_mode == ApicMode.XApic)
        {
            uint raw = Apic.Read(ApicRegisters.Id);
            Report.CheckEqual("xapic_bits_23_0_zero", 0, raw & ~(ApicRegisters.XApicIdMask << ApicRegisters.XApicIdShift));
        }
        else if (HasLeafB())
            Report.CheckEqual("x2apic_matches_cpuid_leaf_b", Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Edx, id);
        else
            Report.Skip("x2apic_matches_cpuid_leaf_b", "CPUID leaf 0xB not offered");
    }

    /// <summary>
    /// The `version` row, a group: its figures are `apic.version`, `apic.version_register`
    /// and `apic.max_lvt`, its checks `apic.version.*`.
    /// </summary>
    private static void VersionRegister()
    {
        uint version = Apic.Version, maxLvt = Apic.MaxLvt;
        Report.Metric("version", version, "hex");
        Report.Metric("version_register", Apic.VersionRegister, "hex");
        Report.Metric("max_lvt", maxLvt, "count");
        Report.CheckRange("version.integrated", version, ApicRegisters.IntegratedVersionMin, ApicRegisters.IntegratedVersionMax);
        // Timer, LINT0, LINT1, error at least (max LVT 3); thermal, perf and CMCI make 6.
        Report.CheckRange("version.max_lvt", maxLvt, ApicRegisters.MaxLvtWithPerf - 1, ApicRegisters.MaxLvtWithCmci);
    }

    private static bool HasLeafB() =>
        Cpu.Cpuid(CpuidLeaves.Vendor).Eax >= CpuidLeaves.ExtendedTopology && Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Ebx != 0;
}
