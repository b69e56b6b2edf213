using Kernel;

/// <summary>Counting IPI deliveries per CPU: the handler, the bounded wait, and what a failed exactly-once check saw.</summary>
internal static unsafe partial class TestKernel
{
    private static void OnCross(InterruptFrame* frame)
    {
        fixed (int* hits = s_hits.Value) Atomic.FetchAdd(hits + Smp.CurrentCpu, 1);
        Apic.Eoi();
    }

    private static void ClearCounts()
    {
        for (int c = 0; c < PerCpu.MaxCpus; c++) { s_hits.Value[c] = 0; s_nmiHits.Value[c] = 0; }
    }

    /// <summary>Waits until the summed hits reach <paramref name="target"/>, then a quiet window for extras. BSP IF as given.</summary>
    private static void WaitHits(PerCpuInts* counts, int cpus, int target, bool bspInterrupts)
    {
        ulong end = Tsc.Deadline(WaitUs);
        if (bspInterrupts) Cpu.EnableInterrupts();
        for (;;)
        {
            int sum = 0;
            for (int c = 0; c < cpus; c++) sum += counts->Value[c];
            if (sum >= target || Tsc.Passed(end)) break;
            Cpu.Pause();
        }
        ulong quietEnd = Tsc.Deadline(QuietUs);
        while (!Tsc.Passed(quietEnd)) Cpu.Pause();
        Cpu.DisableInterrupts();
    }

    /// <summary>True if every CPU in [0, cpus) got exactly its expected count (1 if in the mask range, else 0).</summary>
    private static bool ExactlyOnce(PerCpuInts* counts, int cpus, bool includeBsp)
    {
        bool ok = true;
        for (int c = 0; c < cpus; c++) ok &= counts->Value[c] == (c == 0 && !includeBsp ? 0 : 1);
        return ok;
    }

    /// <summary>
    /// After a failed exactly-once check, the deliveries it saw: a total above the CPUs
    /// expected is an extra delivery, below is a lost one, and the per-CPU extremes say
    /// whether one CPU took two or one took none. Without them the failure cannot be told
    /// apart from a known host issue.
    /// </summary>
    private static void DeliveryCounts(string name, PerCpuInts* counts, int cpus)
    {
        int total = 0, most = 0, fewest = int.MaxValue;
        for (int c = 0; c < cpus; c++)
        {
            int n = counts->Value[c];
            total += n;
            if (n > most) most = n;
            if (n < fewest) fewest = n;
        }
        Report.Metric(name, ".deliveries", "", total, "count");
        Report.Metric(name, ".most_on_one_cpu", "", most, "count");
        Report.Metric(name, ".fewest_on_one_cpu", "", fewest, "count");
    }
}
