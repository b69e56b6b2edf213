using Kernel;

/// <summary>The APIC timer in TSC-deadline mode (SDM 11.5.4.1).</summary>
internal static unsafe partial class TestKernel
{
    private static void TscDeadlineTimer(ulong slack, long* late, long* stolen)
    {
        if (!Apic.TscDeadlineSupported)
        {
            Report.Skip("apic.tscdeadline", "CPUID.1:ECX.TSC_Deadline[bit 24] is clear");
            return;
        }
        ulong span = Tsc.MicrosecondsToCycles(DeadlineUs);

        // Outside TSC-deadline mode IA32_TSC_DEADLINE reads 0 and ignores writes (SDM 11.5.4.1).
        s_timerCount = 0;
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerOneShot | VTimer);
        Apic.TimerInitialCount = 0;
        Apic.TscDeadline = Cpu.Rdtsc() + span;
        Report.CheckEqual("apic.tscdeadline.msr_ignored_outside_mode", 0, Apic.TscDeadline);
        InterruptWindow.Open(3 * DeadlineUs);
        Report.CheckEqual("apic.tscdeadline.no_fire_outside_mode", 0, (ulong)s_timerCount);

        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerTscDeadline | VTimer);
        Report.CheckEqual("apic.tscdeadline.lvt_mode_rw", ApicRegisters.TimerTscDeadline, Apic.TimerMode);
        // In TSC-deadline mode initial-count writes are ignored and current count reads 0.
        Apic.TimerInitialCount = TscDeadlineModeCountProbe;
        Report.CheckEqual("apic.tscdeadline.initial_count_ignored", 0, Apic.TimerInitialCount);
        Report.CheckEqual("apic.tscdeadline.current_count_zero", 0, Apic.TimerCurrentCount);

        ulong far = Cpu.Rdtsc() + span * FarDeadlineSpans;
        Apic.TscDeadline = far;
        Report.CheckEqual("apic.tscdeadline.msr_readback", far, Apic.TscDeadline);
        Apic.TscDeadline = TscDeadlineMsr.Disarmed;
        Report.CheckEqual("apic.tscdeadline.msr_zero_after_disarm", 0, Apic.TscDeadline);

        // Writing 0 disarms a pending deadline.
        if (DisarmedInTime(span, &DisarmByZero)) Report.CheckEqual("apic.tscdeadline.zero_disarms", 0, (ulong)s_timerCount);
        else Report.Skip("apic.tscdeadline.zero_disarms", DisarmStalled);

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
            Report.Metric("apic.tscdeadline.extra_fires_first_seen", extraFires, "count");
            Report.Metric("apic.tscdeadline.second_fire_after_cycles", secondAfter, "cycles");
        }
        Report.CheckEqual("apic.tscdeadline.fires", TimerRepeats, (ulong)fired);
        Report.CheckEqual("apic.tscdeadline.msr_cleared_after_fire", (ulong)fired, (ulong)cleared);
        Report.CheckEqual("apic.tscdeadline.fires_once", (ulong)fired, (ulong)once);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, 0, (long)slack, "apic.tscdeadline.not_early", "apic.tscdeadline.median_on_time",
                "apic.tscdeadline.late_min_cycles", "apic.tscdeadline.late_median_cycles", "apic.tscdeadline.late_max_cycles",
                "apic.tscdeadline.steal_median_cycles");

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
        Report.CheckEqual("apic.tscdeadline.past_deadline_fires", TimerRepeats, (ulong)fired);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, 0, (long)slack, "apic.tscdeadline.past_deadline_not_early", "apic.tscdeadline.past_deadline_median_at_once",
                "apic.tscdeadline.past_late_min_cycles", "apic.tscdeadline.past_late_median_cycles", "apic.tscdeadline.past_late_max_cycles",
                "apic.tscdeadline.past_steal_median_cycles");

        // Changing the timer mode disarms it (SDM 11.5.4.1).
        bool modeChangeInTime = DisarmedInTime(span, &DisarmByModeChange);
        if (modeChangeInTime) Report.CheckEqual("apic.tscdeadline.mode_change_disarms", 0, (ulong)s_timerCount);
        else Report.Skip("apic.tscdeadline.mode_change_disarms", DisarmStalled);
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerTscDeadline | VTimer);
        Report.CheckEqual("apic.tscdeadline.msr_zero_after_mode_change", 0, Apic.TscDeadline);
        InterruptWindow.Open(QuietUs);
        if (modeChangeInTime) Report.CheckEqual("apic.tscdeadline.no_fire_after_mode_change", 0, (ulong)s_timerCount);
        else Report.Skip("apic.tscdeadline.no_fire_after_mode_change", DisarmStalled);
        Apic.TimerStop();
        HaltWatchdogBounds();
    }

    private const ulong WatchdogTestPeriodUs = 20_000;
    private const ulong WatchdogTestGiveUpUs = 1_000_000;
    private static int s_watchdogProgress;

    /// <summary>
    /// <see cref="HaltWatchdog"/>, the bound on the benchmarks' halts: while something makes
    /// progress its firings re-arm it, and a wait with no progress (a halt nothing else ends)
    /// is ended by it, which then names the lost wake-up.
    /// </summary>
    private static void HaltWatchdogBounds()
    {
        fixed (int* progress = &s_watchdogProgress)
        {
            Report.Check(HaltWatchdog.Start(progress, VTimer, WatchdogTestPeriodUs) == null, "apic.watchdog.armed");
            ulong busyUntil = Tsc.Deadline(4 * WatchdogTestPeriodUs);
            Cpu.EnableInterrupts();
            while (!Tsc.Passed(busyUntil) && !HaltWatchdog.Expired) { Atomic.FetchAdd(progress, 1); Cpu.Pause(); }
            Cpu.DisableInterrupts();
            Report.Check(!HaltWatchdog.Expired, "apic.watchdog.progress_keeps_it_armed", "the watchdog expired while the CPU made progress");
            Report.Check(HaltWatchdog.Stop("apic.", "watchdog_busy") == null, "apic.watchdog.busy_stop_clean");

            Report.Check(HaltWatchdog.Start(progress, VTimer, WatchdogTestPeriodUs) == null, "apic.watchdog.rearmed");
            ulong giveUp = Tsc.Deadline(WatchdogTestGiveUpUs);
            // Spinning, not halting, with no progress: the watchdog sees the same, and this
            // wait stays bounded even if the watchdog never fires.
            Cpu.EnableInterrupts();
            while (!HaltWatchdog.Expired && !Tsc.Passed(giveUp)) Cpu.Pause();
            Cpu.DisableInterrupts();
            Report.Check(HaltWatchdog.Stop("apic.", "watchdog_lost") != null, "apic.watchdog.expires_without_progress",
                "a wait with no progress was not ended by the watchdog within 1 s");
        }
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
