using Kernel;

/// <summary>
/// The `watchdog` row: <see cref="HaltWatchdog"/>, the bound on the benchmarks' halts. While
/// something makes progress its firings re-arm it, and a wait with no progress (a halt
/// nothing else ends) is ended by it, which then names the lost wake-up.
/// </summary>
internal static unsafe partial class TestKernel
{
    // Longer than twice the turn a vCPU can wait for in an L1 host run by one TCG thread
    // (QEMU's round-robin TCG switches vCPUs on a 100 ms kick): with a 20 ms period, a
    // CPU that was making progress lost its turn for two periods and the watchdog fired.
    private const ulong WatchdogTestPeriodUs = 250_000;
    private const ulong WatchdogTestGiveUpUs = 1_000_000;
    private static int s_watchdogProgress;

    private static void HaltWatchdogBounds()
    {
        fixed (int* progress = &s_watchdogProgress)
        {
            Report.Check(HaltWatchdog.Start(progress, VTimer, WatchdogTestPeriodUs) == null, "armed");
            ulong busyUntil = Tsc.Deadline(2 * WatchdogTestPeriodUs);
            Cpu.EnableInterrupts();
            while (!Tsc.Passed(busyUntil) && !HaltWatchdog.Expired) { Atomic.FetchAdd(progress, 1); Cpu.Pause(); }
            Cpu.DisableInterrupts();
            Report.Check(!HaltWatchdog.Expired, "progress_keeps_it_armed", "the watchdog expired while the CPU made progress");
            Report.Check(HaltWatchdog.Stop(Report.Self, "busy") == null, "busy_stop_clean");

            Report.Check(HaltWatchdog.Start(progress, VTimer, WatchdogTestPeriodUs) == null, "rearmed");
            ulong giveUp = Tsc.Deadline(WatchdogTestGiveUpUs);
            // Spinning, not halting, with no progress: the watchdog sees the same, and this
            // wait stays bounded even if the watchdog never fires.
            Cpu.EnableInterrupts();
            while (!HaltWatchdog.Expired && !Tsc.Passed(giveUp)) Cpu.Pause();
            Cpu.DisableInterrupts();
            Report.Check(HaltWatchdog.Stop(Report.Self, "lost") != null, "expires_without_progress",
                "a wait with no progress was not ended by the watchdog within 1 s");
        }
    }
}
