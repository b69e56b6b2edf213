using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// KVM hypercalls (boot/hypercall.asm): VMCALL on Intel, VMMCALL on AMD, chosen by
    /// the CPUID vendor string, as Linux does. Results are KVM's: a count or 0, or a
    /// negative KVM_E* code as a 64-bit value.
    /// </summary>
    public static unsafe class KvmHypercall
    {
        /// <summary>KVM_HC_SEND_IPI (include/uapi/linux/kvm_para.h).</summary>
        public const ulong SendIpiNumber = 10;
        /// <summary>-KVM_ENOSYS: the host does not know the hypercall.</summary>
        public const long ENoSys = -1000;
        /// <summary>-KVM_EINVAL: bad arguments (for SEND_IPI: destination-mode or shorthand bits in the ICR).</summary>
        public const long EInval = -22;
        /// <summary>SEND_IPI's bitmaps are 64 bits each in 64-bit mode: bit i of the high one is APIC ID min + 64 + i.</summary>
        public const int BitmapBits = 64;

        // "AuthenticAMD" / "HygonGenuine" in EBX of CPUID 0: VMMCALL; anything else VMCALL.
        private const uint VendorEbxAmd = 0x68747541;     // "Auth"
        private const uint VendorEbxHygon = 0x6F677948;   // "Hygo"

        [DllImport("*"), SuppressGCTransition]
        private static extern ulong kvm_hypercall_vmcall(ulong nr, ulong a0, ulong a1, ulong a2, ulong a3);
        [DllImport("*"), SuppressGCTransition]
        private static extern ulong kvm_hypercall_vmmcall(ulong nr, ulong a0, ulong a1, ulong a2, ulong a3);

        private const int InstructionUnknown = 0, InstructionVmcall = 1, InstructionVmmcall = 2;
        private static int s_instruction;   // read once: CPUID traps, and a benchmark sends in a loop

        /// <summary>True when this CPU's vendor traps VMMCALL (AMD) rather than VMCALL (Intel).</summary>
        public static bool UsesVmmcall
        {
            get
            {
                if (s_instruction == InstructionUnknown)
                {
                    uint ebx = Cpu.Cpuid(CpuidLeaves.Vendor).Ebx;
                    s_instruction = ebx == VendorEbxAmd || ebx == VendorEbxHygon ? InstructionVmmcall : InstructionVmcall;
                }
                return s_instruction == InstructionVmmcall;
            }
        }

        /// <summary>Overrides the vendor's choice (a test that asks how the other instruction fares).</summary>
        public static void UseVmmcall(bool vmmcall) => s_instruction = vmmcall ? InstructionVmmcall : InstructionVmcall;

        public static string Instruction => UsesVmmcall ? "vmmcall" : "vmcall";

        public static long Call(ulong nr, ulong a0, ulong a1, ulong a2, ulong a3) =>
            (long)(UsesVmmcall ? kvm_hypercall_vmmcall(nr, a0, a1, a2, a3) : kvm_hypercall_vmcall(nr, a0, a1, a2, a3));

        /// <summary>CPUID 0x40000001 bit 11, KVM_FEATURE_PV_SEND_IPI.</summary>
        public static bool SendIpiOffered => KvmPv.Has(KvmPv.FeaturePvSendIpi);

        /// <summary>
        /// KVM_HC_SEND_IPI: one fixed-vector (or other delivery-mode) IPI to every APIC ID
        /// min + i whose bit i is set in the 128-bit bitmap (<paramref name="low"/>, then
        /// <paramref name="high"/>). <paramref name="icrLow"/> gives vector, delivery mode,
        /// level and trigger; destination-mode or shorthand bits make it -KVM_EINVAL.
        /// Returns how many APICs it was delivered to, or a negative KVM_E* code.
        /// </summary>
        public static long SendIpi(ulong low, ulong high, uint min, uint icrLow) =>
            Call(SendIpiNumber, low, high, min, icrLow);

        // kvm-unit-tests' test_pv_ipi arguments: low bitmap 0xFFFFFFFF, high 0, min
        // APIC ID 0xFFFFFFFF, ICR 0: no APIC has those IDs, so KVM must deliver nothing.
        public const ulong ProbeBitmapLow = 0xFFFFFFFF;
        public const uint ProbeMin = 0xFFFFFFFF;
        private static long s_probeResult;
        private static int s_probeReturned;

        /// <summary>
        /// Makes test_pv_ipi's call on <paramref name="cpu"/> (not this one) and waits at most
        /// <paramref name="waitUs"/> for it to return: on a host whose hypercall never
        /// returns, only that vCPU is lost and the caller can still report. False if it did
        /// not return (or the CPU could not be reached); <paramref name="result"/> is KVM's answer.
        /// </summary>
        public static bool SendIpiReturnsOn(int cpu, ulong waitUs, out long result)
        {
            result = 0;
            s_probeReturned = 0;
            if (cpu == Smp.CurrentCpu || !Smp.OnCpuAsync(cpu, &Probe, null)) return false;
            ulong end = Tsc.Deadline(waitUs);
            while (s_probeReturned == 0 && !Tsc.Passed(end)) Cpu.Pause();
            if (s_probeReturned == 0) return false;
            result = s_probeResult;
            return true;
        }

        private static void Probe(void* arg)
        {
            s_probeResult = SendIpi(ProbeBitmapLow, 0, ProbeMin, 0);
            s_probeReturned = 1;
        }
    }
}
