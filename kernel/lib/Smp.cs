using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// Application processors. <see cref="Start"/> wakes them with INIT-SIPI-SIPI
    /// (SDM vol. 3A 9.4.4); each then waits in <see cref="ApMain"/> for work posted
    /// with <see cref="OnCpu"/> / <see cref="OnCpuAsync"/>. A test that wants a CPU
    /// halted posts a function that halts.
    /// </summary>
    public static unsafe class Smp
    {
        /// <summary>CPUs online, BSP included.</summary>
        public static int CpuCount = 1;
        /// <summary>How long a cross-CPU wait may take before it is reported as failed.</summary>
        public const ulong WaitLimitUs = 2_000_000;

        public static int CurrentCpu => PerCpu.Current->Index;

        public static uint ApicIdOf(int cpu) => PerCpu.Of(cpu)->ApicId;

        [DllImport("*"), SuppressGCTransition]
        private static extern void smp_trampoline_bounds(byte** start, byte** end);

        [DllImport("*"), SuppressGCTransition]
        private static extern int smp_cpus_arrived();

        // The trampoline page (TRAMPOLINE_BASE in boot/layout.inc); the SIPI vector is its page number.
        private const ulong TrampolineBase = 0x70000;
        private const uint SipiVector = (uint)(TrampolineBase >> 12);

        // The xAPIC ICR is used directly: APs are started before any test picks an APIC
        // mode (Apic.Mode), and every CPU comes out of reset in xAPIC mode.

        /// <summary>
        /// Starts <paramref name="expected"/> - 1 APs and waits (bounded) for them. Returns
        /// false, with <paramref name="arrived"/> set, if fewer than expected came up.
        /// </summary>
        public static bool Start(int expected, out int arrived)
        {
            PerCpu* bsp = PerCpu.Current;
            bsp->ApicId = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
            bsp->Online = 1;
            arrived = 1;
            if (expected <= 1) return true;
            if (expected > PerCpu.MaxCpus) expected = PerCpu.MaxCpus;

            byte* start, end;
            smp_trampoline_bounds(&start, &end);
            Internal.Runtime.Memory.Move((byte*)TrampolineBase, start, (nuint)(end - start));

            SendIcr(ApicRegisters.IcrInit | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrAllExcludingSelf);
            Tsc.DelayMicroseconds(10_000);
            // The second SIPI is for a CPU that missed the first (SDM's MP init sequence).
            SendIcr(ApicRegisters.IcrStartup | ApicRegisters.IcrAllExcludingSelf | SipiVector);
            Tsc.DelayMicroseconds(200);
            SendIcr(ApicRegisters.IcrStartup | ApicRegisters.IcrAllExcludingSelf | SipiVector);

            ulong deadline = Tsc.Deadline(WaitLimitUs);
            while (OnlineCount() < expected && !Tsc.Passed(deadline)) Cpu.Pause();
            arrived = OnlineCount();
            CpuCount = arrived;
            return arrived == expected;
        }

        private static int OnlineCount()
        {
            int n = 0;
            int taken = smp_cpus_arrived();
            for (int i = 0; i < taken && i < PerCpu.MaxCpus; i++) n += PerCpu.Of(i)->Online;
            return n;
        }

        private static void SendIcr(uint low) => XApic.SendIpi(0, low, Tsc.MicrosecondsToCycles(WaitLimitUs));

        [UnmanagedCallersOnly(EntryPoint = "ap_main")]
        private static void ApMain(int index)
        {
            Idt.Load();
            Tss.InitThisCpu();
            PerCpu* self = PerCpu.Current;
            self->ApicId = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
            self->Online = 1;
            // Waiting for work is the AP's whole life; the BSP ends the run, so this
            // loop needs no bound. Pause is a call, which also forces the reload.
            for (;;)
            {
                while (self->WorkPending == 0) Cpu.Pause();
                ulong fn = self->WorkFn;
                ((delegate*<void*, void>)fn)((void*)self->WorkArg);
                self->WorkPending = 0;
            }
        }

        /// <summary>Runs fn(arg) on <paramref name="cpu"/> and waits (bounded) for it to finish.</summary>
        public static bool OnCpu(int cpu, delegate*<void*, void> fn, void* arg)
        {
            if (cpu == CurrentCpu) { fn(arg); return true; }
            return OnCpuAsync(cpu, fn, arg) && WaitIdle(cpu);
        }

        /// <summary>Posts fn(arg) to <paramref name="cpu"/> and returns at once. Fails (reported)
        /// when the CPU is not online or still busy after the wait limit.</summary>
        public static bool OnCpuAsync(int cpu, delegate*<void*, void> fn, void* arg)
        {
            if (cpu < 0 || cpu >= CpuCount || PerCpu.Of(cpu)->Online == 0)
            {
                Report.CheckFullName(false, "smp.on_cpu", "target CPU is not online");
                return false;
            }
            if (!WaitIdle(cpu)) return false;
            PerCpu* target = PerCpu.Of(cpu);
            target->WorkFn = (ulong)fn;
            target->WorkArg = (ulong)arg;
            // x86 stores are not reordered with other stores: Pending is seen last.
            target->WorkPending = 1;
            return true;
        }

        /// <summary>
        /// Waits (bounded by <paramref name="us"/>) until flags[c] is non-zero for every CPU c
        /// in [<paramref name="first"/>, <paramref name="last"/>]: each CPU sets its own when
        /// it has reached a state the BSP must wait for. False if one never did.
        /// </summary>
        public static bool WaitFlags(int* flags, int first, int last, ulong us)
        {
            ulong end = Tsc.Deadline(us);
            for (int c = first; c <= last; c++)
                while (flags[c] == 0)
                {
                    if (Tsc.Passed(end)) return false;
                    Cpu.Pause();
                }
            return true;
        }

        /// <summary>Waits (bounded) until <paramref name="cpu"/> has no work pending.</summary>
        public static bool WaitIdle(int cpu)
        {
            PerCpu* target = PerCpu.Of(cpu);
            ulong deadline = Tsc.Deadline(WaitLimitUs);
            while (target->WorkPending != 0)
            {
                if (Tsc.Passed(deadline))
                {
                    Report.CheckFullName(false, "smp.wait_idle", "CPU never finished its posted work within the wait limit");
                    return false;
                }
                Cpu.Pause();
            }
            return true;
        }
    }
}
