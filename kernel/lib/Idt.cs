using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// The interrupt descriptor table: 256 interrupt gates to the stubs in
    /// boot/isr.asm, all funnelled into <see cref="Dispatch"/>, which calls the
    /// handler a test installed with <see cref="Set"/>.
    /// </summary>
    public static unsafe class Idt
    {
        public const int Vectors = 256;
        private const ushort KernelCodeSelector = 0x08;   // GDT_CODE64 in boot/layout.inc
        private const byte GateInterrupt64 = 0x8E;        // present, DPL 0, 64-bit interrupt gate

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        private struct Gate
        {
            public ushort OffsetLow;
            public ushort Selector;
            public byte Ist;
            public byte TypeAttributes;
            public ushort OffsetMid;
            public uint OffsetHigh;
            public uint Reserved;
        }

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        private struct Descriptor
        {
            public ushort Limit;
            public ulong Base;
        }

        private struct Table { public fixed ulong Words[Vectors * 2]; }
        private struct Handlers { public fixed ulong Entries[Vectors]; }

#pragma warning disable 169 // only used through fixed pointers
        private static Table s_table;
#pragma warning restore 169
        private static Handlers s_handlers;

        [DllImport("*"), SuppressGCTransition]
        private static extern ulong* isr_stub_table_address();

        /// <summary>Builds the table once; each CPU then loads it with <see cref="Load"/>.</summary>
        public static void Init()
        {
            ulong* stubs = isr_stub_table_address();
            for (int v = 0; v < Vectors; v++) SetGate(v, stubs[v], 0);
            Load();
        }

        public static void Load()
        {
            Descriptor d;
            d.Limit = Vectors * 16 - 1;
            fixed (ulong* t = s_table.Words) d.Base = (ulong)t;
            Cpu.LoadIdt(&d);
        }

        /// <summary>Runs the vector's handler on stack <paramref name="ist"/> (1-7) of the TSS; 0 = current stack.</summary>
        public static void SetIst(int vector, int ist)
        {
            fixed (ulong* t = s_table.Words)
            {
                Gate* g = (Gate*)t + vector;
                g->Ist = (byte)ist;
            }
        }

        private static void SetGate(int vector, ulong target, int ist)
        {
            fixed (ulong* t = s_table.Words)
            {
                Gate* g = (Gate*)t + vector;
                g->OffsetLow = (ushort)target;
                g->Selector = KernelCodeSelector;
                g->Ist = (byte)ist;
                g->TypeAttributes = GateInterrupt64;
                g->OffsetMid = (ushort)(target >> 16);
                g->OffsetHigh = (uint)(target >> 32);
                g->Reserved = 0;
            }
        }

        /// <summary>
        /// Points the gate of <paramref name="vector"/> straight at an assembly entry that
        /// ends in IRETQ, bypassing the common stub and the C# dispatcher (benchmarks'
        /// reference paths); <see cref="RestoreGate"/> undoes it.
        /// </summary>
        public static void SetRawGate(int vector, ulong entry) => SetGate(vector, entry, 0);

        public static void RestoreGate(int vector) => SetGate(vector, isr_stub_table_address()[vector], 0);

        public static void Set(int vector, delegate*<InterruptFrame*, void> handler)
        {
            s_handlers.Entries[vector] = (ulong)handler;
        }

        public static void Clear(int vector) => s_handlers.Entries[vector] = 0;

        [UnmanagedCallersOnly(EntryPoint = "interrupt_dispatch")]
        private static void Dispatch(InterruptFrame* frame)
        {
            int vector = (int)frame->Vector;
            if (MaskedDelivery.Is(vector, frame->Rflags))
            {
                MaskedDelivery.Record(vector, frame->Rip);
                return;
            }
            ulong handler = s_handlers.Entries[vector];
            if (handler != 0)
            {
                ((delegate*<InterruptFrame*, void>)handler)(frame);
                return;
            }

            PerCpu* cpu = PerCpu.Current;
            if (vector < Exceptions.FirstExternal && cpu->ResumeRip != 0)
            {
                // A guarded instruction (cpu.asm *_safe) faulted as the test allowed.
                cpu->LastVector = vector;
                cpu->LastErrorCode = frame->ErrorCode;
                cpu->LastRip = frame->Rip;
                cpu->LastCr2 = vector == Exceptions.PF ? Cpu.ReadCr2() : 0;
                cpu->LastFrame = (ulong)frame;
                cpu->ExceptionCount++;
                frame->Rip = cpu->ResumeRip;
                cpu->ResumeRip = 0;
                return;
            }

            bool pageFault = vector == Exceptions.PF;
            Report.Fault(vector, frame->ErrorCode, frame->Rip, cpu->Index, Exceptions.Name(vector), pageFault, pageFault ? Cpu.ReadCr2() : 0);
        }
    }
}
