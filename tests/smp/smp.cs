using Kernel;

/// <summary>
/// Multiprocessor bring-up (SDM vol. 3A 9.4): every CPU the runner asked for comes
/// up, has a distinct APIC ID, and runs work on request, one at a time and all at
/// once. Modelled on kvm-unit-tests' x86/smptest.c. Its sections are a <see cref="TestSuite"/>
/// table (only=a,b runs some).
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "smp";

    private const int ScratchRanOn = 0, ScratchApicId = 1, ScratchCounter = 2;
    private const int RoundsPerCpu = 1000;

    private static int s_sharedCounter;

    public static void Run()
    {
        TestSuite.Begin(Name);
        int expected = (int)CommandLine.GetInt("cpus", 1);
        Report.CheckEqual("cpus_online", (ulong)expected, (ulong)Smp.CpuCount);
        Report.Metric("cpus", Smp.CpuCount, "count");

        // row                                               function                  precondition
        TestSuite.Group("ids",                                &CheckDistinctApicIds,    null);
        TestSuite.Case("on_cpu",                              &CheckOnCpu,              &TwoCpus);
        TestSuite.Group("concurrent_atomic_increments",       &CheckConcurrentWork,     &TwoCpus);
        TestSuite.Group("busy_cpu_queues_work",               &CheckBusyCpuQueuesWork,  &TwoCpus);
        TestSuite.Finish();
    }

    private static string? TwoCpus() => Smp.CpuCount >= 2 ? null : "one CPU online: work on another CPU needs cpus >= 2";

    private static void CheckDistinctApicIds()
    {
        bool distinct = true;
        for (int i = 0; i < Smp.CpuCount; i++)
            for (int j = i + 1; j < Smp.CpuCount; j++)
                distinct &= Smp.ApicIdOf(i) != Smp.ApicIdOf(j);
        Report.Check(distinct, "apic_ids_distinct");
        Report.CheckEqual("bsp_is_cpu0", 0, (ulong)Smp.CurrentCpu);
    }

    private static void RecordSelf(void* arg)
    {
        PerCpu* me = PerCpu.Current;
        me->Scratch[ScratchRanOn] = (ulong)me->Index + 1;
        // CPUID.1:EBX[31:24] read on the CPU itself must match what start-up recorded.
        me->Scratch[ScratchApicId] = Cpu.Cpuid(CpuidLeaves.Features).Ebx >> CpuidLeaves.EbxInitialApicIdShift;
    }

    private static void CheckOnCpu()
    {
        bool ranWhereAsked = true, idsMatch = true, allReturned = true;
        for (int cpu = 1; cpu < Smp.CpuCount; cpu++)
        {
            PerCpu* slot = PerCpu.Of(cpu);
            slot->Scratch[ScratchRanOn] = 0;
            allReturned &= Smp.OnCpu(cpu, &RecordSelf, null);
            ranWhereAsked &= slot->Scratch[ScratchRanOn] == (ulong)cpu + 1;
            idsMatch &= slot->Scratch[ScratchApicId] == slot->ApicId;
        }
        Report.Check(allReturned, "returns");
        Report.Check(ranWhereAsked, "runs_on_target");
        Report.Check(idsMatch, "apic_id_matches_cpuid");
    }

    private static void CountUp(void* arg)
    {
        fixed (int* counter = &s_sharedCounter)
            for (int i = 0; i < RoundsPerCpu; i++) Atomic.FetchAdd(counter, 1);
    }

    private static void CheckConcurrentWork()
    {
        s_sharedCounter = 0;
        bool posted = true;
        for (int cpu = 1; cpu < Smp.CpuCount; cpu++) posted &= Smp.OnCpuAsync(cpu, &CountUp, null);
        CountUp(null);
        bool finished = true;
        for (int cpu = 1; cpu < Smp.CpuCount; cpu++) finished &= Smp.WaitIdle(cpu);
        Report.Check(posted && finished, "on_cpu_async.all_finish");
        Report.CheckEqual("concurrent_atomic_increments", (ulong)(RoundsPerCpu * Smp.CpuCount), (ulong)s_sharedCounter);
    }

    private static int s_release;

    // Interrupts stay masked: HLT with IF=0 would sleep for good, so the CPU parks
    // in PAUSE until released; this checks that posted work waits its turn.
    private static void Park(void* arg)
    {
        ulong deadline = Tsc.Deadline(Smp.WaitLimitUs);
        while (s_release == 0 && !Tsc.Passed(deadline)) Cpu.Pause();
    }

    private static void CheckBusyCpuQueuesWork()
    {
        s_release = 0;
        Smp.OnCpuAsync(1, &Park, null);
        PerCpu* slot = PerCpu.Of(1);
        Report.Check(slot->WorkPending != 0, "busy_cpu_reports_pending");
        s_release = 1;
        Report.Check(Smp.WaitIdle(1), "busy_cpu_finishes_when_released");
    }
}
