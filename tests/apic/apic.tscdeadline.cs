using Kernel;

/// <summary>The APIC timer in TSC-deadline mode (SDM 11.5.4.1).</summary>
internal static unsafe partial class TestKernel
{
    private static string? HasTscDeadline() =>
        Apic.TscDeadlineSupported ? null : "CPUID.1:ECX.TSC_Deadline[bit 24] is clear";

    /// <summary>The `tscdeadline` row: IA32_TSC_DEADLINE outside and inside its mode, firing, disarming.</summary>
    private static void TscDeadlineTimer()
    {
        Cpu.DisableInterrupts();
        Apic.TimerStop();
        ulong slack = Tsc.MicrosecondsToCycles(TimerSlackUs);
        long* late = stackalloc long[TimerLogSize];
        long* stolen = stackalloc long[TimerLogSize];
        ulong span = Tsc.MicrosecondsToCycles(DeadlineUs);

        // Outside TSC-deadline mode IA32_TSC_DEADLINE reads 0 and ignores writes (SDM 11.5.4.1).
        s_timerCount = 0;
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerOneShot | VTimer);
        Apic.TimerInitialCount = 0;
        Apic.TscDeadline = Cpu.Rdtsc() + span;
        Report.CheckEqual("msr_ignored_outside_mode", 0, Apic.TscDeadline);
        InterruptWindow.Open(3 * DeadlineUs);
        Report.CheckEqual("no_fire_outside_mode", 0, (ulong)s_timerCount);

        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerTscDeadline | VTimer);
        Report.CheckEqual("lvt_mode_rw", ApicRegisters.TimerTscDeadline, Apic.TimerMode);
        // In TSC-deadline mode initial-count writes are ignored and current count reads 0.
        Apic.TimerInitialCount = TscDeadlineModeCountProbe;
        Report.CheckEqual("initial_count_ignored", 0, Apic.TimerInitialCount);
        Report.CheckEqual("current_count_zero", 0, Apic.TimerCurrentCount);

        ulong far = Cpu.Rdtsc() + span * FarDeadlineSpans;
        Apic.TscDeadline = far;
        Report.CheckEqual("msr_readback", far, Apic.TscDeadline);
        Apic.TscDeadline = TscDeadlineMsr.Disarmed;
        Report.CheckEqual("msr_zero_after_disarm", 0, Apic.TscDeadline);

        // Writing 0 disarms a pending deadline.
        if (DisarmedInTime(span, &DisarmByZero)) Report.CheckEqual("zero_disarms", 0, (ulong)s_timerCount);
        else Report.Skip("zero_disarms", DisarmStalled);

        // Fires once, not before the deadline, then clears the MSR (a few times: lateness by median).
        int fired = 0, once = 0, cleared = 0, extraFires = 0;
        long secondAfter = 0;
        for (int r = 0; r < TimerRepeats; r++)
        {
            s_timerCount = 0;
            ulong steal0 = StealTime.Nanoseconds;
            ulong deadlineAt = Cpu.Rdtsc() + span;
            Apic.TimerTscDeadline(VTimer, deadlineAt);
            if (!WaitTimer(1, WaitUs)) continue;
            stolen[fired] = StolenBefore(0, steal0);
            late[fired++] = (long)(s_timerLog.Tsc[0] - deadlineAt);
            if (Apic.TscDeadline == TscDeadlineMsr.Disarmed) cleared++;
            InterruptWindow.Open(QuietUs);
            if (s_timerCount == 1) once++;
            else if (s_timerCount > 1 && extraFires == 0)
            {
                // How a second fire looks tells a re-injection (at once) from a re-armed timer (later).
                extraFires = s_timerCount - 1;
                secondAfter = (long)(s_timerLog.Tsc[1] - s_timerLog.Tsc[0]);
            }
        }
        if (extraFires > 0)
        {
            Report.Metric("extra_fires_first_seen", extraFires, "count");
            Report.Metric("second_fire_after_cycles", secondAfter, "cycles");
        }
        Report.CheckEqual("fires", TimerRepeats, (ulong)fired);
        Report.CheckEqual("msr_cleared_after_fire", (ulong)fired, (ulong)cleared);
        Report.CheckEqual("fires_once", (ulong)fired, (ulong)once);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, 0, (long)slack, "not_early", "median_on_time",
                "late_min_cycles", "late_median_cycles", "late_max_cycles",
                "steal_median_cycles");

        // A deadline already passed fires at once.
        fired = 0;
        for (int r = 0; r < TimerRepeats; r++)
        {
            s_timerCount = 0;
            ulong steal0 = StealTime.Nanoseconds;
            ulong deadlineAt = Cpu.Rdtsc();
            Apic.TimerTscDeadline(VTimer, deadlineAt);
            if (!WaitTimer(1, WaitUs)) continue;
            stolen[fired] = StolenBefore(0, steal0);
            late[fired++] = (long)(s_timerLog.Tsc[0] - deadlineAt);
        }
        Report.CheckEqual("past_deadline_fires", TimerRepeats, (ulong)fired);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, 0, (long)slack, "past_deadline_not_early", "past_deadline_median_at_once",
                "past_late_min_cycles", "past_late_median_cycles", "past_late_max_cycles",
                "past_steal_median_cycles");

        // Changing the timer mode disarms it (SDM 11.5.4.1).
        bool modeChangeInTime = DisarmedInTime(span, &DisarmByModeChange);
        if (modeChangeInTime) Report.CheckEqual("mode_change_disarms", 0, (ulong)s_timerCount);
        else Report.Skip("mode_change_disarms", DisarmStalled);
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerTscDeadline | VTimer);
        Report.CheckEqual("msr_zero_after_mode_change", 0, Apic.TscDeadline);
        InterruptWindow.Open(QuietUs);
        if (modeChangeInTime) Report.CheckEqual("no_fire_after_mode_change", 0, (ulong)s_timerCount);
        else Report.Skip("no_fire_after_mode_change", DisarmStalled);
        Apic.TimerStop();
    }

    private const string DisarmStalled =
        "in every try the vCPU stalled past half the deadline span between arm and disarm, so the deadline may rightly have fired";

    /// <summary>
    /// Arms a deadline one span ahead, disarms it with <paramref name="disarm"/> and opens
    /// interrupts for three spans, leaving the fires in s_timerCount. A vCPU stalled between
    /// the arm and the disarm (a busy host, a nested host) lets the deadline pass first, and
    /// then the interrupt is rightly pending; so a try counts only if the disarm returned with
    /// half the span still to go, a margin for a host timer that fires a little early.
    /// Returns whether some try counted; the fires are those of the last try.
    /// </summary>
    private static bool DisarmedInTime(ulong span, delegate*<void> disarm)
    {
        for (int attempt = 0; attempt < DisarmAttempts; attempt++)
        {
            s_timerCount = 0;
            ulong deadline = Cpu.Rdtsc() + span;
            Apic.TimerTscDeadline(VTimer, deadline);
            disarm();
            bool inTime = Cpu.Rdtsc() + span / 2 < deadline;
            InterruptWindow.Open(3 * DeadlineUs);
            if (inTime) return true;
        }
        return false;
    }

    private static void DisarmByZero() => Apic.TscDeadline = TscDeadlineMsr.Disarmed;

    private static void DisarmByModeChange() => Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerOneShot | VTimer);
}
