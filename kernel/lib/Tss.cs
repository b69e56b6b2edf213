using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// One 64-bit TSS per CPU, for its interrupt stack table: #DF, NMI and #MC run on
    /// stacks of their own (SDM vol. 3A 6.14.5), so they are reported even when the
    /// current stack is what went wrong.
    /// </summary>
    public static unsafe class Tss
    {
        public const int IstDoubleFault = 1, IstNmi = 2, IstMachineCheck = 3;
        public const int IstStackSize = 8 * 1024;          // IST_STACK_SIZE in boot/layout.inc

        private const int FirstTssSelector = 0x20;          // GDT_TSS in boot/layout.inc
        private const int SlotOffset = 512;                 // where in the PerCpu slot the TSS lives
        private const byte TypeAvailableTss64 = 0x89;       // present, DPL 0, type 9

        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        private struct TaskState
        {
            public uint Reserved0;
            public ulong Rsp0, Rsp1, Rsp2;
            public ulong Reserved1;
            public ulong Ist1, Ist2, Ist3, Ist4, Ist5, Ist6, Ist7;
            public ulong Reserved2;
            public ushort Reserved3;
            public ushort IoMapBase;
        }

        [DllImport("*"), SuppressGCTransition]
        private static extern byte* gdt_address();

        [DllImport("*"), SuppressGCTransition]
        private static extern ulong ist_stack_top(int cpu, int ist);

        public static ulong StackTop(int cpu, int ist) => ist_stack_top(cpu, ist);

        /// <summary>Builds this CPU's TSS and its GDT descriptor, then loads TR.</summary>
        public static void InitThisCpu()
        {
            PerCpu* self = PerCpu.Current;
            int cpu = self->Index;
            TaskState* tss = (TaskState*)((byte*)self + SlotOffset);
            Internal.Runtime.Memory.Set((byte*)tss, 0, (nuint)sizeof(TaskState));
            tss->Ist1 = ist_stack_top(cpu, IstDoubleFault);
            tss->Ist2 = ist_stack_top(cpu, IstNmi);
            tss->Ist3 = ist_stack_top(cpu, IstMachineCheck);
            tss->IoMapBase = (ushort)sizeof(TaskState);     // no I/O permission bitmap

            int selector = FirstTssSelector + cpu * 16;
            ulong base_ = (ulong)tss;
            ulong limit = (ulong)sizeof(TaskState) - 1;
            ulong* d = (ulong*)(gdt_address() + selector);
            d[0] = (limit & 0xFFFF) | ((base_ & 0xFFFFFF) << 16) | ((ulong)TypeAvailableTss64 << 40)
                 | (((limit >> 16) & 0xF) << 48) | (((base_ >> 24) & 0xFF) << 56);
            d[1] = base_ >> 32;
            Cpu.LoadTaskRegister((ushort)selector);
        }
    }
}
