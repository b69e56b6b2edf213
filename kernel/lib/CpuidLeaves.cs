namespace Kernel
{
    /// <summary>CPUID leaves and feature bits the kernels use (SDM vol. 2A, CPUID).</summary>
    public static class CpuidLeaves
    {
        public const uint Vendor = 0x0;
        public const uint Features = 0x1;
        public const uint ExtendedTopology = 0xB;
        public const uint TscFrequency = 0x15;
        public const uint ProcessorFrequency = 0x16;
        public const uint ExtendedMax = 0x80000000;
        public const uint ExtendedFeatures = 0x80000001;

        // CPUID.1:ECX
        public const int EcxX2Apic = 21;
        public const int EcxTscDeadline = 24;
        public const int EcxHypervisor = 31;
        // CPUID.1:EDX
        public const int EdxTsc = 4;
        public const int EdxMsr = 5;
        public const int EdxApic = 9;
        public const int EdxSse = 25;
        // CPUID.80000001H:EDX
        public const int ExtEdxRdtscp = 27;
        public const int ExtEdxLongMode = 29;

        /// <summary>CPUID.1:EBX[31:24], the initial APIC ID.</summary>
        public const int EbxInitialApicIdShift = 24;

        // Hypervisor leaves (KVM's Documentation/virt/kvm/x86/cpuid.rst).
        public const uint HypervisorBase = 0x40000000;
        public const uint KvmFeatures = 0x40000001;
        public const uint HypervisorTiming = 0x40000010;
        public const int KvmFeaturePvEoi = 6;

        public static bool Has(uint register, int bit) => ((register >> bit) & 1) != 0;
    }
}
