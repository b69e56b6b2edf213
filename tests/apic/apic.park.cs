using Kernel;

/// <summary>The APs halted while the BSP alone runs: a spinning vCPU would take a host core from the one being timed.</summary>
internal static unsafe partial class TestKernel
{
    /// <summary>
    /// On an AP: APIC into the kernel's mode, then HLT until the BSP sets s_unpark and
    /// sends VWake. The AP's own one-shot timer is the backstop that bounds each HLT.
    /// </summary>
    private static void ApPark(void* arg)
    {
        int me = Smp.CurrentCpu;
        Apic.InitThisCpu();
        ulong end = Tsc.Deadline(ParkUs);
        s_parked.Value[me] = 1;
        while (s_unpark == 0 && !Tsc.Passed(end))
        {
            Apic.TimerStart(ApicRegisters.TimerOneShot, VParkTimer, ParkTimerTicks, ApicRegisters.DivideBy1, false);
            Cpu.EnableInterruptsAndHalt();
            Cpu.DisableInterrupts();
        }
        Apic.TimerStop();
        s_parked.Value[me] = 0;
    }

    private static bool ParkAps()
    {
        int last = Smp.CpuCount - 1;
        if (last < 1) return false;
        s_unpark = 0;
        bool ok = true;
        for (int c = 1; c <= last; c++) ok &= Smp.OnCpuAsync(c, &ApPark, null);
        fixed (int* parked = s_parked.Value) ok = ok && Smp.WaitFlags(parked, 1, last, WaitUs);
        Report.Check(ok, "smp.aps_parked", "an AP did not reach its HLT loop");
        return true;
    }

    private static void UnparkAps()
    {
        s_unpark = 1;
        Apic.SendIpi(0, VWake, ApicRegisters.IcrFixed, ApicRegisters.IcrPhysical, ApicRegisters.IcrAllExcludingSelf);
        bool ok = true;
        for (int c = 1; c < Smp.CpuCount; c++) ok &= Smp.WaitIdle(c);
        Report.Check(ok, "smp.aps_unparked", "an AP did not leave its HLT loop");
        s_unpark = 0;
    }
}
