using Kernel;

/// <summary>
/// What the virtual CPU says about itself: vendor, family/model, the interrupt
/// features the other kernels depend on (APIC, x2APIC, TSC-deadline), and the
/// hypervisor's signature, each reported as a metric, with checks that what it
/// says is self-consistent.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "cpuid";

    public static void Run()
    {
        CpuidResult leaf0 = Cpu.Cpuid(CpuidLeaves.Vendor);
        Report.Check(leaf0.Eax >= CpuidLeaves.Features, "cpuid.max_basic_leaf_at_least_1");
        Report.Metric("cpuid.max_basic_leaf", leaf0.Eax, "hex");

        byte* vendor = stackalloc byte[12];
        Store(vendor, leaf0.Ebx);
        Store(vendor + 4, leaf0.Edx);
        Store(vendor + 8, leaf0.Ecx);
        Report.Info("cpuid.vendor", vendor, 12);
        Report.Check(Printable(vendor, 12), "cpuid.vendor_printable");

        CpuidResult leaf1 = Cpu.Cpuid(CpuidLeaves.Features);
        uint family = (leaf1.Eax >> 8) & 0xF, model = (leaf1.Eax >> 4) & 0xF, stepping = leaf1.Eax & 0xF;
        // Extended family/model count only for families 0xF (and 0x6 for the model), SDM vol. 2A fig. 3-6.
        if (family == 0xF) family += (leaf1.Eax >> 20) & 0xFF;
        if (family == 0x6 || family >= 0xF) model |= ((leaf1.Eax >> 16) & 0xF) << 4;
        Report.Metric("cpuid.family", family, "count");
        Report.Metric("cpuid.model", model, "count");
        Report.Metric("cpuid.stepping", stepping, "count");

        bool x2apic = CpuidLeaves.Has(leaf1.Ecx, CpuidLeaves.EcxX2Apic);
        bool tscDeadline = CpuidLeaves.Has(leaf1.Ecx, CpuidLeaves.EcxTscDeadline);
        bool hypervisor = CpuidLeaves.Has(leaf1.Ecx, CpuidLeaves.EcxHypervisor);
        Report.Metric("cpuid.x2apic", x2apic ? 1 : 0, "bool");
        Report.Metric("cpuid.tsc_deadline", tscDeadline ? 1 : 0, "bool");
        Report.Metric("cpuid.hypervisor", hypervisor ? 1 : 0, "bool");

        // Every kernel here relies on these; a CPU without them cannot run the suite.
        Report.Check(CpuidLeaves.Has(leaf1.Edx, CpuidLeaves.EdxApic), "cpuid.apic_present");
        Report.Check(CpuidLeaves.Has(leaf1.Edx, CpuidLeaves.EdxTsc), "cpuid.tsc_present");
        Report.Check(CpuidLeaves.Has(leaf1.Edx, CpuidLeaves.EdxMsr), "cpuid.msr_present");

        CpuidResult ext = Cpu.Cpuid(CpuidLeaves.ExtendedMax);
        if (ext.Eax >= CpuidLeaves.ExtendedFeatures)
        {
            CpuidResult ext1 = Cpu.Cpuid(CpuidLeaves.ExtendedFeatures);
            Report.Check(CpuidLeaves.Has(ext1.Edx, CpuidLeaves.ExtEdxLongMode), "cpuid.long_mode");
            Report.Metric("cpuid.rdtscp", CpuidLeaves.Has(ext1.Edx, CpuidLeaves.ExtEdxRdtscp) ? 1 : 0, "bool");
        }
        else Report.Check(false, "cpuid.long_mode", "no extended leaf 0x80000001, yet the guest runs in long mode");

        uint initialApicId = leaf1.Ebx >> CpuidLeaves.EbxInitialApicIdShift;
        Report.Metric("cpuid.initial_apic_id", initialApicId, "count");
        if (leaf0.Eax >= CpuidLeaves.ExtendedTopology && Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Ebx != 0)
        {
            // Leaf 0xB EDX is the full x2APIC ID; its low 8 bits must be the initial APIC ID.
            uint x2apicId = Cpu.Cpuid(CpuidLeaves.ExtendedTopology).Edx;
            Report.CheckEqual("cpuid.topology_id_matches_initial_apic_id", initialApicId, x2apicId & 0xFF);
        }
        else Report.Skip("cpuid.topology_id_matches_initial_apic_id", "CPUID leaf 0xB not offered");

        ReportHypervisor(hypervisor);
        ReportExecutionSpeed();
    }

    private const ulong SpeedLoopIterations = 100_000;


    /// <summary>
    /// Cycles per DEC/JNZ iteration, in hundredths: about 100 when the guest runs on
    /// the CPU, thousands of times more when the host emulates it (kvm_pvm here: about
    /// 4,000 cycles per iteration, so it runs this guest through an instruction
    /// emulator). Every cycle figure from such a host measures the emulator.
    /// </summary>
    private static void ReportExecutionSpeed()
    {
        ulong t0 = Cpu.TimerBegin();
        Cpu.SpinLoop(SpeedLoopIterations);
        ulong t1 = Cpu.TimerEnd();
        Report.Metric("cpu.loop_centicycles_per_iteration", (long)((t1 - t0) * 100 / SpeedLoopIterations), "centicycles");
    }

    private static void ReportHypervisor(bool hypervisorBit)
    {
        if (!hypervisorBit)
        {
            Report.Skip("cpuid.hypervisor_signature", "CPUID.1:ECX.hypervisor is clear: not running under a hypervisor");
            return;
        }
        CpuidResult hv = Cpu.Cpuid(CpuidLeaves.HypervisorBase);
        byte* signature = stackalloc byte[12];
        Store(signature, hv.Ebx);
        Store(signature + 4, hv.Ecx);
        Store(signature + 8, hv.Edx);
        int length = 0;
        while (length < 12 && signature[length] != 0) length++;     // "KVMKVMKVM" is NUL-padded
        Report.Info("cpuid.hypervisor_signature", signature, length);
        Report.Check(hv.Eax >= CpuidLeaves.HypervisorBase, "cpuid.hypervisor_max_leaf_in_range");
        bool kvm = Format.Equals(signature, 9, "KVMKVMKVM");
        Report.Metric("cpuid.kvm", kvm ? 1 : 0, "bool");
        if (kvm && hv.Eax >= CpuidLeaves.KvmFeatures)
        {
            CpuidResult features = Cpu.Cpuid(CpuidLeaves.KvmFeatures);
            Report.Metric("cpuid.kvm_features", features.Eax, "hex");
            Report.Metric("cpuid.kvm_pv_eoi", CpuidLeaves.Has(features.Eax, CpuidLeaves.KvmFeaturePvEoi) ? 1 : 0, "bool");
        }
    }

    private static void Store(byte* dst, uint value)
    {
        for (int i = 0; i < 4; i++) dst[i] = (byte)(value >> (8 * i));
    }

    private static bool Printable(byte* text, int length)
    {
        for (int i = 0; i < length; i++)
            if (text[i] < 0x20 || text[i] > 0x7E) return false;
        return true;
    }
}
