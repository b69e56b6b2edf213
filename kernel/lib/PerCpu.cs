using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// One slot per CPU, found through the GS base (boot/pvh.asm sets the BSP's, the
    /// AP start-up code each AP's). Layout of the first two fields is fixed by the asm.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct PerCpu
    {
        public PerCpu* Self;
        public int Index;
        public uint ApicId;
        /// <summary>
        /// Where an exception resumes while a guarded instruction runs (cpu.asm's
        /// *_safe functions set it); zero when no exception is expected. Offset 16
        /// is PERCPU_RESUME_RIP in boot/layout.inc.
        /// </summary>
        public ulong ResumeRip;
        /// <summary>What the last guarded exception was, for the test to inspect.</summary>
        public int LastVector;
        public int ExceptionCount;
        public ulong LastErrorCode;
        public ulong LastRip;
        public ulong LastCr2;
        /// <summary>Address of the interrupt frame of the last guarded exception: shows which stack it ran on.</summary>
        public ulong LastFrame;

        /// <summary>Work mailbox (Smp.OnCpuAsync): function and argument, then Pending = 1.</summary>
        public ulong WorkFn;
        public ulong WorkArg;
        public int WorkPending;
        public int Online;

        /// <summary>Free per-CPU words for tests (interrupt counts, flags).</summary>
        public fixed ulong Scratch[16];

        public const int SlotSize = 1024;   // PERCPU_SIZE in boot/layout.inc
        public const int MaxCpus = 64;      // MAX_CPUS in boot/layout.inc

        [DllImport("*", EntryPoint = "percpu_self"), SuppressGCTransition]
        private static extern PerCpu* SelfRaw();

        public static PerCpu* Current => SelfRaw();

        [DllImport("*", EntryPoint = "percpu_base"), SuppressGCTransition]
        private static extern byte* BaseRaw();

        /// <summary>The slot of CPU <paramref name="index"/>, for another CPU to read or post work to.</summary>
        public static PerCpu* Of(int index) => (PerCpu*)(BaseRaw() + index * SlotSize);
    }

}
