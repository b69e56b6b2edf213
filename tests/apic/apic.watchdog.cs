using Kernel;

/// <summary>
/// The `watchdog` row: <see cref="HaltWatchdog"/>, the bound on the benchmarks' halts. While
/// something makes progress its firings re-arm it, and a wait with no progress (a halt
/// nothing else ends) is ended by it, which then names the lost wake-up.
/// </summary>
internal static unsafe partial class TestKernel
{
    // The period must be longer than twice any turn a vCPU that makes progress can wait for.
    // On an ordinary host that is a scheduler slice, milliseconds. In an L1 host run by one TCG
    // thread (QEMU's round-robin TCG switches vCPUs on a 100 ms kick) a 20 ms period fired while
    // the CPU was making progress, so a host the runner calls slow (HostSpeed) gets 250 ms. The
    // test spins for about three periods, so on an ordinary host the shorter one saves host CPU.
    private const ulong WatchdogTestPeriodUs = 50_000;
    private const ulong WatchdogTestSlowHostPeriodUs = 250_000;
    private const ulong WatchdogTestGiveUpPeriods = 4;
    private static int s_watchdogProgress;

    private static void HaltWatchdogBounds()
    {
        ulong period = HostSpeed.Slowed ? WatchdogTestSlowHostPeriodUs : WatchdogTestPeriodUs;
        fixed (int* progress = &s_watchdogProgress)
        {
            Report.Check(HaltWatchdog.Start(progress, VTimer, period) == null, "armed");
            ulong busyUntil = Tsc.Deadline(2 * period);
            Cpu.EnableInterrupts();
            while (!Tsc.Passed(busyUntil) && !HaltWatchdog.Expired) { Atomic.FetchAdd(progress, 1); Cpu.Pause(); }
            Cpu.DisableInterrupts();
            Report.Check(!HaltWatchdog.Expired, "progress_keeps_it_armed", "the watchdog expired while the CPU made progress");
            Report.Check(HaltWatchdog.Stop(Report.Self, "busy") == null, "busy_stop_clean");

            Report.Check(HaltWatchdog.Start(progress, VTimer, period) == null, "rearmed");
            ulong giveUp = Tsc.Deadline(WatchdogTestGiveUpPeriods * period);
            // Spinning, not halting, with no progress: the watchdog sees the same, and this
            // wait stays bounded even if the watchdog never fires.
            Cpu.EnableInterrupts();
            while (!HaltWatchdog.Expired && !Tsc.Passed(giveUp)) Cpu.Pause();
            Cpu.DisableInterrupts();
            Report.Check(HaltWatchdog.Stop(Report.Self, "lost") != null, "expires_without_progress",
                "a wait with no progress was not ended by the watchdog within 4 periods");
        }
    }
}
