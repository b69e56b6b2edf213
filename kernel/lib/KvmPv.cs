namespace Kernel
{
    /// <summary>
    /// KVM paravirtual interface detection (Documentation/virt/kvm/x86/cpuid.rst): the
    /// signature "KVMKVMKVM\0\0\0" in EBX, ECX, EDX of CPUID 0x40000000 and the feature
    /// bits in EAX of 0x40000001. QEMU's TCG never offers these leaves.
    /// </summary>
    public static class KvmPv
    {
        // "KVMK" "VMKV" "M\0\0\0" as little-endian register values.
        public const uint SignatureEbx = 0x4B4D564B;
        public const uint SignatureEcx = 0x564B4D56;
        public const uint SignatureEdx = 0x0000004D;

        // CPUID 0x40000001 EAX bits (KVM_FEATURE_*).
        public const int FeatureClocksource = 0;
        public const int FeatureNopIoDelay = 1;
        public const int FeatureMmuOp = 2;
        public const int FeatureClocksource2 = 3;
        public const int FeatureAsyncPf = 4;
        public const int FeatureStealTime = 5;
        public const int FeaturePvEoi = CpuidLeaves.KvmFeaturePvEoi;   // 6
        public const int FeaturePvUnhalt = 7;
        public const int FeaturePvTlbFlush = 9;
        public const int FeaturePvSendIpi = 11;
        public const int FeatureMsiExtDestId = 15;

        /// <summary>CPUID.1:ECX.hypervisor is set and leaf 0x40000000 carries the KVM signature.</summary>
        public static bool Present
        {
            get
            {
                if (!CpuidLeaves.Has(Cpu.Cpuid(CpuidLeaves.Features).Ecx, CpuidLeaves.EcxHypervisor)) return false;
                CpuidResult r = Cpu.Cpuid(CpuidLeaves.HypervisorBase);
                return r.Ebx == SignatureEbx && r.Ecx == SignatureEcx && r.Edx == SignatureEdx;
            }
        }

        /// <summary>Highest KVM leaf (EAX of 0x40000000); 0 when KVM is absent.</summary>
        public static uint MaxLeaf => Present ? Cpu.Cpuid(CpuidLeaves.HypervisorBase).Eax : 0;

        /// <summary>EAX of 0x40000001 (KVM_CPUID_FEATURES), 0 when KVM or the leaf is absent.</summary>
        public static uint Features
        {
            get
            {
                if (!Present) return 0;
                // EAX of 0x40000000 is the highest KVM leaf; a host that leaves it 0 still
                // answers 0x40000001 (Linux reads that leaf without looking at EAX).
                uint max = Cpu.Cpuid(CpuidLeaves.HypervisorBase).Eax;
                if (max != 0 && max < CpuidLeaves.KvmFeatures) return 0;
                return Cpu.Cpuid(CpuidLeaves.KvmFeatures).Eax;
            }
        }

        public static bool Has(int feature) => CpuidLeaves.Has(Features, feature);
    }
}
