using Kernel;

/// <summary>The APIC timer in one-shot, periodic and masked modes, calibrated against the TSC, and how lateness is judged.</summary>
internal static unsafe partial class TestKernel
{
    private static void OnTimer(InterruptFrame* frame)
    {
        ulong tsc = Cpu.Rdtsc();
        int i = s_timerCount;
        if (i < TimerLogSize)
        {
            s_timerLog.Tsc[i] = tsc;
            s_timerLog.Steal[i] = StealTime.Nanoseconds;
        }
        s_timerCount = i + 1;
        Apic.Eoi();
    }

    private static bool WaitTimer(int n, ulong us)
    {
        fixed (int* count = &s_timerCount) return InterruptWindow.WaitCount(count, n, us, true);
    }

    /// <summary>The `timer` row: calibration, one-shot, periodic and masked.</summary>
    private static void Timer()
    {
        Cpu.DisableInterrupts();
        Apic.TimerStop();

        // Steal time lets the lateness checks leave out the host scheduler (JudgeLateness).
        if (StealTime.Supported)
            Report.CheckEqual("steal_time_enabled", unchecked((ulong)Cpu.NoFault), unchecked((ulong)StealTime.Enable()));
        else
            Report.Info("steal_time", "not offered (CPUID 0x40000001 EAX bit 5 clear): lateness includes host scheduling delays");

        // ---- calibration against the TSC ----
        ApicTimerCalibration cal, cal16;
        ApicTimerCalibration.Measure(VTimer, ApicRegisters.DivideBy1, CalibrationUs, &cal);
        ulong ticks = cal.Ticks, cycles = cal.Cycles;
        if (!Report.Check(ticks > 0, "counts_down", "current count did not move in divide-by-1 one-shot mode")) return;
        ulong cyclesPerMillionTicks = cal.CyclesPerMillionTicks;
        ulong minCyclesPerMillionTicks = cal.MinCyclesPerMillionTicks;
        Report.Metric("tsc_cycles_per_1000_ticks", (long)(cyclesPerMillionTicks / (PerMillion / PerThousand)), "cycles");
        if (!Report.Check(cyclesPerMillionTicks > 0, "calibrated", "the timer runs faster than a million ticks per TSC cycle")) return;
        Report.Metric("calibration_uncertainty_ppm", (long)cal.UncertaintyPpm, "ppm");
        if (Tsc.Hz != 0) Report.Metric("frequency", (long)cal.TicksPerSecond, "hz");

        ApicTimerCalibration.Measure(VTimer, Apic.DivideConfigFor(DivideCheckDivisor), CalibrationUs, &cal16);
        ulong ticks16 = cal16.Ticks, cycles16 = cal16.Cycles;
        // ticks/cycles must be DivideCheckDivisor times ticks16/cycles16, within a few percent.
        ulong ratioPercent = ticks16 == 0 ? 0 : ticks * cycles16 * Percent / (ticks16 * cycles);
        Report.CheckRange("divide_16_ratio_percent", (long)ratioPercent,
            (long)(DivideCheckDivisor * (Percent - DivideRatioPercentTolerance)),
            (long)(DivideCheckDivisor * (Percent + DivideRatioPercentTolerance)));

        ulong slack = Tsc.MicrosecondsToCycles(TimerSlackUs);

        // ---- one-shot, a few times: lateness is judged by its median ----
        uint count = TicksFor(Tsc.MicrosecondsToCycles(OneShotUs), cyclesPerMillionTicks);
        ulong expect = CyclesFor(count, cyclesPerMillionTicks);
        long calibrationSlack = EarlyAllowance(count, cyclesPerMillionTicks, minCyclesPerMillionTicks);
        long* late = stackalloc long[TimerLogSize];
        long* stolen = stackalloc long[TimerLogSize];
        int fired = 0, once = 0;
        for (int r = 0; r < TimerRepeats; r++)
        {
            s_timerCount = 0;
            Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerOneShot | VTimer);
            Apic.TimerDivide = ApicRegisters.DivideBy1;
            ulong steal0 = StealTime.Nanoseconds;
            ulong oneShotStart = Cpu.Rdtsc();
            Apic.TimerInitialCount = count;
            if (!WaitTimer(1, WaitUs)) continue;
            stolen[fired] = StolenBefore(0, steal0);
            late[fired++] = (long)(s_timerLog.Tsc[0] - oneShotStart) - (long)expect;
            InterruptWindow.Open(QuietUs);
            if (s_timerCount == 1) once++;
        }
        Report.CheckEqual("oneshot_fires", TimerRepeats, (ulong)fired);
        Report.CheckEqual("oneshot_fires_once", (ulong)fired, (ulong)once);
        if (fired > 0)
            JudgeLateness(late, stolen, fired, calibrationSlack + (long)(expect / EarlyToleranceDivisor), (long)slack,
                "oneshot_not_early", "oneshot_median_on_time",
                "oneshot_late_min_cycles", "oneshot_late_median_cycles", "oneshot_late_max_cycles",
                "oneshot_steal_median_cycles");
        Report.CheckEqual("oneshot_current_count_zero", 0, Apic.TimerCurrentCount);
        Report.CheckEqual("oneshot_initial_count_kept", count, Apic.TimerInitialCount);

        // ---- periodic: tick i is due i periods after the start ----
        count = TicksFor(Tsc.MicrosecondsToCycles(PeriodUs), cyclesPerMillionTicks);
        expect = CyclesFor(count, cyclesPerMillionTicks);
        calibrationSlack = EarlyAllowance(count, cyclesPerMillionTicks, minCyclesPerMillionTicks);
        s_timerCount = 0;
        Apic.WriteLvt(ApicRegisters.LvtTimer, ApicRegisters.TimerPeriodic | VTimer);
        Apic.TimerDivide = ApicRegisters.DivideBy1;
        ulong periodicSteal0 = StealTime.Nanoseconds;
        ulong start = Cpu.Rdtsc();
        Apic.TimerInitialCount = count;
        bool ticked = WaitTimer(PeriodicTicks, WaitUs);
        uint current = Apic.TimerCurrentCount;
        Report.Check(current <= count, "periodic_count_within_initial", "current count above the initial count");
        Apic.TimerInitialCount = 0;
        // A tick that expired before the stop may still be pending in IRR: it is allowed in.
        int atStop = s_timerCount + (Apic.IsRequested(VTimer) ? 1 : 0);
        InterruptWindow.Open(3 * PeriodUs);
        Report.CheckEqual("periodic_zero_count_stops", (ulong)atStop, (ulong)s_timerCount);
        if (Report.Check(ticked, "periodic_ticks", "fewer periodic timer interrupts than expected"))
        {
            // Interrupt n cannot come before the n-th expiry (one interrupt per expiry at most).
            // The calibration's uncertainty is per period, so it adds up over n periods.
            long earliest = long.MaxValue;
            for (int i = 0; i < PeriodicTicks; i++)
            {
                long periods = i + 1;
                long ahead = (long)(s_timerLog.Tsc[i] - start) - (long)expect * periods + calibrationSlack * periods;
                if (ahead < earliest) earliest = ahead;
            }
            Report.CheckRange("periodic_not_early", earliest, -(long)(expect / EarlyToleranceDivisor), long.MaxValue);
            // Expiries that find the vector still pending in IRR merge with it (a vCPU the
            // host deschedules misses some): lateness is measured from the latest expiry.
            ulong lastExpiry = 0;
            for (int i = 0; i < PeriodicTicks; i++)
            {
                ulong since = s_timerLog.Tsc[i] - start;
                ulong k = since / expect;
                late[i] = k == 0 ? (long)since - (long)expect : (long)(since - k * expect);
                // Steal since the previous interrupt: an upper bound on what delayed this one.
                stolen[i] = StolenBefore(i, i == 0 ? periodicSteal0 : s_timerLog.Steal[i - 1]);
                lastExpiry = k;
            }
            Report.Metric("periodic_period_cycles", (long)expect, "cycles");
            Report.Metric("periodic_merged_expiries", (long)lastExpiry - PeriodicTicks, "count");
            JudgeLateness(late, stolen, PeriodicTicks, 0, (long)slack, null, "periodic_median_on_time",
                "periodic_late_min_cycles", "periodic_late_median_cycles", "periodic_late_max_cycles",
                "periodic_steal_median_cycles");
        }

        // ---- masked: counts down, interrupts nothing ----
        s_timerCount = 0;
        Apic.TimerStart(ApicRegisters.TimerOneShot, VTimer, TicksFor(Tsc.MicrosecondsToCycles(PeriodUs), cyclesPerMillionTicks),
            ApicRegisters.DivideBy1, true);
        InterruptWindow.Open(3 * PeriodUs);
        Report.CheckEqual("masked_no_interrupt", 0, (ulong)s_timerCount);
        Report.CheckEqual("masked_still_counts_to_zero", 0, Apic.TimerCurrentCount);
        Apic.TimerStop();
    }

    /// <summary>
    /// Judges timer lateness samples (TSC cycles after the due time). None may be earlier
    /// than <paramref name="earlyTolerance"/> before due (the APIC's semantics; skipped when
    /// <paramref name="notEarly"/> is null). The median, less the steal time the host reported
    /// over each sample (<paramref name="stolen"/>, cycles the vCPU was runnable but not
    /// running), must be within <paramref name="slack"/>: that judges the hypervisor's
    /// injection, not the host scheduler. Reports min/median/max and the median steal.
    /// </summary>
    private static void JudgeLateness(long* late, long* stolen, int n, long earlyTolerance, long slack,
        string? notEarly, string onTime, string minName, string medianName, string maxName, string stolenName)
    {
        long* running = stackalloc long[n];
        for (int i = 0; i < n; i++) running[i] = late[i] - stolen[i];
        SortLongs(late, n);
        SortLongs(running, n);
        SortLongs(stolen, n);
        if (notEarly != null) Report.CheckRange(notEarly, late[0], -earlyTolerance, long.MaxValue);
        Report.CheckRange(onTime, running[n / 2], long.MinValue, slack);
        Report.Metric(minName, late[0], "cycles");
        Report.Metric(medianName, late[n / 2], "cycles");
        Report.Metric(maxName, late[n - 1], "cycles");
        Report.Metric(stolenName, stolen[n / 2], "cycles");
    }

    private static void SortLongs(long* a, int n)
    {
        for (int i = 1; i < n; i++)
        {
            long v = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
            a[j + 1] = v;
        }
    }

    /// <summary>Steal time between <paramref name="since"/> (ns) and timer interrupt <paramref name="i"/>, in cycles.</summary>
    private static long StolenBefore(int i, ulong since) => (long)StealTime.ToCycles(s_timerLog.Steal[i] - since);

    /// <summary>
    /// How much sooner than the estimate <paramref name="count"/> ticks may end if the timer
    /// runs at the fastest rate the calibration's read windows allow.
    /// </summary>
    private static long EarlyAllowance(uint count, ulong cyclesPerMillionTicks, ulong minCyclesPerMillionTicks) =>
        minCyclesPerMillionTicks >= cyclesPerMillionTicks ? 0
            : (long)(CyclesFor(count, cyclesPerMillionTicks) - CyclesFor(count, minCyclesPerMillionTicks));

    private static ulong CyclesFor(uint ticks, ulong cyclesPerMillionTicks) => ticks * cyclesPerMillionTicks / PerMillion;

    private static uint TicksFor(ulong tscCycles, ulong cyclesPerMillionTicks)
    {
        ulong t = tscCycles * PerMillion / cyclesPerMillionTicks;
        return t == 0 ? 1 : t > uint.MaxValue ? uint.MaxValue : (uint)t;
    }
}
