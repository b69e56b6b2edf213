using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>CPU instructions, implemented in kernel/boot/cpu.asm.</summary>
    public static unsafe class Cpu
    {
        [DllImport("*", EntryPoint = "cpu_cpuid"), SuppressGCTransition]
        private static extern void CpuidRaw(uint leaf, uint subleaf, uint* regs);

        public static CpuidResult Cpuid(uint leaf, uint subleaf = 0)
        {
            uint* regs = stackalloc uint[4];
            CpuidRaw(leaf, subleaf, regs);
            CpuidResult r;
            r.Eax = regs[0];
            r.Ebx = regs[1];
            r.Ecx = regs[2];
            r.Edx = regs[3];
            return r;
        }

        [DllImport("*", EntryPoint = "cpu_rdmsr"), SuppressGCTransition]
        public static extern ulong ReadMsr(uint msr);

        [DllImport("*", EntryPoint = "cpu_wrmsr"), SuppressGCTransition]
        public static extern void WriteMsr(uint msr, ulong value);

        /// <summary>Returned by the *Safe functions when the instruction did not fault.</summary>
        public const int NoFault = -1;

        /// <summary>RDMSR that returns the exception vector instead of dying (e.g. #GP for a reserved MSR).</summary>
        [DllImport("*", EntryPoint = "cpu_rdmsr_safe"), SuppressGCTransition]
        public static extern int ReadMsrSafe(uint msr, ulong* value);

        [DllImport("*", EntryPoint = "cpu_wrmsr_safe"), SuppressGCTransition]
        public static extern int WriteMsrSafe(uint msr, ulong value);

        // The TSC reads and PAUSE sit inside timed loops: RuntimeImport makes each a
        // plain CALL, without the GC poll (CMP/JNE) ilc adds after a P/Invoke. C# has
        // no RDTSC intrinsic, so a call to a few NASM instructions is the cheapest read.

        /// <summary>Unfenced TSC read, for deadlines where a few cycles do not matter.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_rdtsc")]
        public static extern ulong Rdtsc();

        /// <summary>RDTSC; LFENCE: opens a timed region (boot/cpu.asm says why that order).</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_rdtsc_begin")]
        public static extern ulong TimerBegin();

        /// <summary>LFENCE; RDTSC: closes a timed region.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_rdtsc_end")]
        public static extern ulong TimerEnd();

        [DllImport("*", EntryPoint = "cpu_inb"), SuppressGCTransition]
        public static extern byte InB(ushort port);
        [DllImport("*", EntryPoint = "cpu_inw"), SuppressGCTransition]
        public static extern ushort InW(ushort port);
        [DllImport("*", EntryPoint = "cpu_inl"), SuppressGCTransition]
        public static extern uint InL(ushort port);
        [DllImport("*", EntryPoint = "cpu_outb"), SuppressGCTransition]
        public static extern void OutB(ushort port, byte value);
        /// <summary>REP OUTSB of <paramref name="count"/> bytes to one port.</summary>
        [DllImport("*", EntryPoint = "cpu_outsb"), SuppressGCTransition]
        public static extern unsafe void OutSB(ushort port, byte* data, uint count);
        [DllImport("*", EntryPoint = "cpu_outw"), SuppressGCTransition]
        public static extern void OutW(ushort port, ushort value);
        [DllImport("*", EntryPoint = "cpu_outl"), SuppressGCTransition]
        public static extern void OutL(ushort port, uint value);

        [DllImport("*", EntryPoint = "cpu_hlt"), SuppressGCTransition]
        public static extern void Halt();
        /// <summary>PAUSE, in place (the JIT's X86Base intrinsic): spin-wait loops have no call in them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Pause() => System.Runtime.Intrinsics.X86.X86Base.Pause();
        [DllImport("*", EntryPoint = "cpu_cli"), SuppressGCTransition]
        public static extern void DisableInterrupts();
        [DllImport("*", EntryPoint = "cpu_sti"), SuppressGCTransition]
        public static extern void EnableInterrupts();
        /// <summary>STI; HLT — sleeps until an interrupt without losing one that is already pending.</summary>
        [DllImport("*", EntryPoint = "cpu_sti_hlt"), SuppressGCTransition]
        public static extern void EnableInterruptsAndHalt();
        /// <summary>STI; NOP; CLI — lets pending interrupts in, then masks again.</summary>
        [DllImport("*", EntryPoint = "cpu_sti_nop"), SuppressGCTransition]
        public static extern void InterruptWindow();

        [DllImport("*", EntryPoint = "cpu_read_rflags"), SuppressGCTransition]
        public static extern ulong ReadRflags();
        [DllImport("*", EntryPoint = "cpu_read_cr0"), SuppressGCTransition]
        public static extern ulong ReadCr0();
        [DllImport("*", EntryPoint = "cpu_read_cr2"), SuppressGCTransition]
        public static extern ulong ReadCr2();
        [DllImport("*", EntryPoint = "cpu_read_cr3"), SuppressGCTransition]
        public static extern ulong ReadCr3();
        [DllImport("*", EntryPoint = "cpu_read_cr4"), SuppressGCTransition]
        public static extern ulong ReadCr4();
        [DllImport("*", EntryPoint = "cpu_write_cr0"), SuppressGCTransition]
        public static extern void WriteCr0(ulong value);
        [DllImport("*", EntryPoint = "cpu_write_cr4"), SuppressGCTransition]
        public static extern void WriteCr4(ulong value);
        [DllImport("*", EntryPoint = "cpu_lidt"), SuppressGCTransition]
        public static extern void LoadIdt(void* descriptor);
        [DllImport("*", EntryPoint = "cpu_ltr"), SuppressGCTransition]
        public static extern void LoadTaskRegister(ushort selector);
        [DllImport("*", EntryPoint = "cpu_mfence"), SuppressGCTransition]
        public static extern void MemoryFence();

        [DllImport("*", EntryPoint = "mmio_read32"), SuppressGCTransition]
        public static extern uint MmioRead32(ulong address);
        [DllImport("*", EntryPoint = "mmio_write32"), SuppressGCTransition]
        public static extern void MmioWrite32(ulong address, uint value);

        /// <summary>N iterations of DEC/JNZ: about N cycles when the guest runs natively.</summary>
        [DllImport("*", EntryPoint = "cpu_spin_loop"), SuppressGCTransition]
        public static extern void SpinLoop(ulong iterations);

        public const ulong RflagsIF = 1 << 9;
        public static bool InterruptsEnabled => (ReadRflags() & RflagsIF) != 0;
    }

    public struct CpuidResult
    {
        public uint Eax, Ebx, Ecx, Edx;
    }
}
