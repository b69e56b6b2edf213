namespace Kernel
{
    /// <summary>
    /// Stretches of time with interrupts open on the calling CPU, bounded by the TSC, so a
    /// test waits for what it expects (or lets anything pending in) and never spins
    /// forever. Each leaves IF clear.
    /// </summary>
    public static unsafe class InterruptWindow
    {
        /// <summary>Interrupts open for <paramref name="us"/>: whatever is deliverable gets delivered.</summary>
        public static void Open(ulong us)
        {
            ulong end = Tsc.Deadline(us);
            Cpu.EnableInterrupts();
            while (!Tsc.Passed(end)) Cpu.Pause();
            Cpu.DisableInterrupts();
        }

        /// <summary>
        /// Polls until *<paramref name="counter"/> >= <paramref name="target"/> or
        /// <paramref name="us"/> pass, with interrupts open if <paramref name="interrupts"/>;
        /// returns whether the target was reached.
        /// </summary>
        public static bool WaitCount(int* counter, int target, ulong us, bool interrupts)
        {
            ulong end = Tsc.Deadline(us);
            if (interrupts) Cpu.EnableInterrupts();
            bool reached;
            for (;;)
            {
                if (*counter >= target) { reached = true; break; }
                if (Tsc.Passed(end)) { reached = false; break; }
                Cpu.Pause();
            }
            Cpu.DisableInterrupts();
            return reached;
        }
    }
}
