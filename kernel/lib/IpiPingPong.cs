namespace Kernel
{
    /// <summary>
    /// One IPI round trip at a time to a target CPU that spins or halts with interrupts on:
    /// the sender writes the ICR, the target's handler EOIs and acknowledges, the sender waits
    /// (bounded) for the acknowledgement. The machinery of the ipi benchmark, for kernels
    /// that time a round trip among other cases.
    /// </summary>
    public static unsafe class IpiPingPong
    {
        public const int Vector = 0xE8;
        /// <summary>One round trip; far above any real cost.</summary>
        public const ulong AckWaitUs = 1_000_000;
        public const ulong TargetLifetimeUs = 600_000_000;
        private const int SpinsPerTscCheck = 1024;

        private static volatile int s_ack, s_stop, s_halt, s_stopAck;
        private static uint s_destination, s_icrLow;
        private static int s_target;

        /// <summary>Starts the target loop on <paramref name="cpu"/> (which must be idle).</summary>
        public static bool Start(int cpu, bool halt)
        {
            if (!LeanIdt.InstallLight(Vector, LeanIdt.IpiPingPongLightEntry)) return false;
            s_ack = 0;
            s_stopAck = 0;
            s_stop = 0;
            s_halt = halt ? 1 : 0;
            s_target = cpu;
            s_destination = Smp.ApicIdOf(cpu);
            s_icrLow = (uint)Vector | ApicRegisters.IcrFixed | ApicRegisters.IcrPhysical | ApicRegisters.IcrNoShorthand
                     | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrTriggerEdge;
            return Smp.OnCpuAsync(cpu, &Target, null);
        }

        /// <summary>Acknowledgements the target's handler has given since <see cref="Start"/>.</summary>
        public static int Acks => s_ack;

        /// <summary>One IPI and its acknowledgement; false if none came in time. Call with IF clear (xAPIC's two ICR writes).</summary>
        public static bool RoundTrip()
        {
            int expected = s_ack + 1;
            ulong giveUp = 0;
            Apic.SendIpiNoWait(s_destination, s_icrLow);
            int spins = 0;
            while (s_ack < expected)
            {
                Cpu.Pause();
                // RDTSC traps on some hosts: look at the clock sparingly.
                if ((++spins & (SpinsPerTscCheck - 1)) == 0)
                {
                    if (giveUp == 0) giveUp = Tsc.Deadline(AckWaitUs);
                    else if (Tsc.Passed(giveUp)) return false;
                }
            }
            return true;
        }

        /// <summary>
        /// Ends the target loop (waking a halted target) and waits until the CPU is idle. The
        /// target leaves only once the stop IPI's handler ran: a spinning target that saw the
        /// flag first would otherwise close its interrupt window with the stop IPI still in its
        /// IRR, and take it from the idle loop after the vector's entry was removed.
        /// </summary>
        public static bool Stop()
        {
            s_stopAck = s_ack + 1;
            s_stop = 1;         // x86 keeps the two stores in order: the target reads the count first
            Apic.SendIpiNoWait(s_destination, s_icrLow);
            bool idle = Smp.WaitIdle(s_target);
            LeanIdt.Remove(Vector);
            return idle && s_ack >= s_stopAck;
        }

        // The target's handler, on a light lean entry (LeanIdt.InstallLight: three registers saved,
        // called directly; RuntimeExport, so no reverse-P/Invoke frame). Acknowledge, then EOI, as
        // the ipi benchmark's handlers and kvm-unit-tests' on_cpu() handler do: the sender's next
        // IPI waits in the IRR for this EOI, so the EOI stays inside the next round trip.
        [System.Runtime.RuntimeExport("lean_light_handler_3")]
        private static void OnIpi()
        {
            s_ack = s_ack + 1;
            Apic.Eoi();
        }

        private static void Target(void* arg)
        {
            ulong deadline = Tsc.Deadline(TargetLifetimeUs);
            if (s_halt != 0)
                while (s_stop == 0 && !Tsc.Passed(deadline)) Cpu.EnableInterruptsAndHalt();
            else
            {
                Cpu.EnableInterrupts();
                while (s_stop == 0 && !Tsc.Passed(deadline)) Cpu.Pause();
            }
            ulong giveUp = Tsc.Deadline(AckWaitUs);
            Cpu.EnableInterrupts();
            while (s_ack < s_stopAck && !Tsc.Passed(giveUp)) Cpu.Pause();
            Cpu.DisableInterrupts();
        }
    }
}
