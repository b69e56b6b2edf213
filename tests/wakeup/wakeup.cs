using System.Runtime.InteropServices;
using Kernel;

/// <summary>
/// Wake-up latency: the TSC cycles from an interrupt's send to its handler on CPU 1, with
/// CPU 1 running (spinning with IF=1) or halted (STI; HLT), for three sources: an IPI from
/// CPU 0, CPU 1's own TSC-deadline timer (armed before it halts; the latency is the handler's
/// TSC minus the deadline, kvm-unit-tests' tscdeadline_latency idea), and an MSI from QEMU's
/// edu device raised by CPU 0's write to its interrupt-raise register. What AVIC's GA log
/// and Intel's posted-interrupt wake-up vector exist to cut is the halted figure.
///
/// The IPI and MSI figures subtract CPU 0's TSC from CPU 1's, so the kernel first checks the
/// two agree: CPUID.80000007H:EDX.InvariantTSC[8] and a ping-pong that bounds CPU 1's offset
/// from CPU 0 by causality (CPU 1's reading lies between the two of CPU 0 around it). The
/// timed handlers take light lean entries (<see cref="LeanIdt.InstallLight"/>).
///
/// Command line: samples=N (per source and state, default 200), gap_us=N (how long CPU 0
/// waits after CPU 1 is ready before sending, and how far ahead the timer is armed; default
/// 1000, past KVM's halt polling), only=ipi,timer,msi, sync=1 (around the whole measurement
/// for the runner's APICv trace). Needs two vCPUs, the MSI rows `-device edu` on a PCI machine.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "wakeup";

    private const int IpiVector = 0xC0, MsiVector = 0xC1, TimerVector = 0xC2;
    /// <summary>Ends a target loop; its own vector, so a stop never counts as a delivery.</summary>
    private const int StopVector = 0xC3;
    private const int Target = 1;
    private const uint RaiseValue = 1;
    private const int DefaultSamples = 200, MaxSamples = 1000;
    private const ulong DefaultGapUs = 1000, MaxGapUs = 100_000;
    /// <summary>One delivery or one readiness; far above any real cost. The wait restarts at every delivery.</summary>
    private const ulong WaitUs = 1_000_000;
    /// <summary>After a series: a late or duplicated delivery would show in this window.</summary>
    private const ulong QuietUs = 20_000;
    private const ulong TargetLifetimeUs = 600_000_000;
    private const int OverheadSamples = 256;
    private const int TscRounds = 1000;
    private const int SpinsPerTscCheck = 1024;
    private const int PercentileP99 = 99, Percent = 100, Deciles = 10;
    private const ulong SignFlip = 1UL << 63;     // maps signed order onto unsigned, for Sort.Ascending

    // CPUID.80000007H (Advanced Power Management): EDX[8] invariant TSC.
    private const uint LeafPowerManagement = 0x80000007;
    private const int EdxInvariantTsc = 8;

    // Written by the handlers on CPU 1, read by CPU 0 (x86 keeps the stamp before the count).
    private static volatile int s_count, s_stop, s_halt, s_stopTaken;
    private static int s_ready;      // read in loops that call Pause, so never cached
    private static ulong s_stamp;
    private static uint* s_msiAcknowledge;          // Edu.AcknowledgeRegister, once the device is open
    private static ulong s_gapCycles, s_gapUs;
    private static int s_samplesWanted;

    // The timer series runs on CPU 1 and leaves its figures here.
    private static volatile int s_timerGot, s_timerDone, s_timerEarly;

    private struct Samples { public fixed ulong Value[MaxSamples]; }
    private static Samples s_samples;

    // TSC ping-pong.
    private static int s_turn;
    private static ulong s_apTsc;

    public static void Run()
    {
        if (Smp.CpuCount < 2)
        {
            Report.Skip("wakeup", "one vCPU: the target of every source is CPU 1 (smp = 2)");
            return;
        }
        s_samplesWanted = (int)CommandLine.GetInt("samples", DefaultSamples);
        long gapUs = CommandLine.GetInt("gap_us", (long)DefaultGapUs);
        if (!Report.Check(s_samplesWanted >= 1 && s_samplesWanted <= MaxSamples, "wakeup.samples_valid", "samples must be 1..1000")) return;
        if (!Report.Check(gapUs >= 1 && gapUs <= (long)MaxGapUs, "wakeup.gap_valid", "gap_us must be 1..100000")) return;
        s_gapUs = (ulong)gapUs;
        s_gapCycles = Tsc.MicrosecondsToCycles(s_gapUs);
        Report.Metric("wakeup.samples", s_samplesWanted, "count");
        Report.Metric("wakeup.gap_us", gapUs, "us");

        Cpu.DisableInterrupts();
        if (!Report.Check(Apic.Init(ApicMode.XApic), "wakeup.apic_mode_set")) return;
        if (!Report.Check(Apic.InitOtherCpus(), "wakeup.target_apic_ready", "CPU 1 could not set up its APIC")) return;
        Idt.Set(StopVector, &OnStop);
        if (!Report.Check(LeanIdt.InstallLight(IpiVector, IpiLightEntry), "wakeup.lean_entry_installed", "light lean entry 0 does not exist")) return;
        if (!Report.Check(LeanIdt.InstallLight(MsiVector, MsiLightEntry), "wakeup.lean_entry_installed_msi", "light lean entry 1 does not exist")) return;
        if (!Report.Check(LeanIdt.InstallLight(TimerVector, TimerLightEntry), "wakeup.lean_entry_installed_timer", "light lean entry 2 does not exist")) return;

        Tsc.MeasureOverhead(OverheadSamples, out ulong overheadMin, out ulong overheadMedian);
        Report.Metric("timer.overhead.min", (long)overheadMin, "cycles");
        Report.Metric("timer.overhead.median", (long)overheadMedian, "cycles");

        if (!CheckTscSync()) return;
        if (!Report.Sync(SyncMeasureBegin)) return;

        if (Selected("ipi"))
        {
            CrossCpuSeries(false, false, "ipi.running");
            CrossCpuSeries(false, true, "ipi.halted");
        }
        if (Selected("timer"))
        {
            TimerSeries(false, "timer.running");
            TimerSeries(true, "timer.halted");
        }
        if (Selected("msi"))
        {
            if (!Edu.Open())
            {
                if (Edu.Absent)
                {
                    Report.Skip("wakeup.", "msi.running", Edu.Problem);
                    Report.Skip("wakeup.", "msi.halted", Edu.Problem);
                }
                else Report.Check(false, "wakeup.msi.edu_open", Edu.Problem);
            }
            else
            {
                s_msiAcknowledge = Edu.AcknowledgeRegister;
                Edu.ProgramMsi(Smp.ApicIdOf(Target), MsiVector);
                CrossCpuSeries(true, false, "msi.running");
                CrossCpuSeries(true, true, "msi.halted");
                Edu.DisableMsi();
                Edu.Acknowledge(Edu.Status);
            }
        }
        Report.Sync(SyncMeasureEnd);
    }

    private const string SyncMeasureBegin = "measure-begin", SyncMeasureEnd = "measure-end";

    private static bool Selected(string source) => !CommandLine.Has("only") || CommandLine.ListHas("only", source);

    // ---------------- handlers (light lean entries: no frame) ----------------

    /// <summary>The light lean entries of <see cref="OnIpi"/>, <see cref="OnMsi"/> and <see cref="OnTimer"/> (their export names say so).</summary>
    private const int IpiLightEntry = 0, MsiLightEntry = 1, TimerLightEntry = 2;

    // Each is called straight from a light entry, which saves only rax, rcx and rdx: `imagetool
    // check` fails the build if the handler, or what it calls, writes another register.
    // RuntimeExport: an exported symbol without UnmanagedCallersOnly's reverse-P/Invoke frame
    // (LeanIdt.InstallLight), so the timed path reaches the TSC read sooner.
    [System.Runtime.RuntimeExport("lean_light_handler_0")]
    private static void OnIpi()
    {
        s_stamp = Cpu.TimerEnd();
        Apic.Eoi();
        s_count = s_count + 1;
    }

    [System.Runtime.RuntimeExport("lean_light_handler_1")]
    private static void OnMsi()
    {
        s_stamp = Cpu.TimerEnd();
        *s_msiAcknowledge = RaiseValue;
        Apic.Eoi();
        s_count = s_count + 1;
    }

    [System.Runtime.RuntimeExport("lean_light_handler_2")]
    private static void OnTimer()
    {
        s_stamp = Cpu.TimerEnd();
        Apic.Eoi();
        s_count = s_count + 1;
    }

    private static void OnStop(InterruptFrame* frame)
    {
        Apic.Eoi();
        s_stopTaken = 1;
    }

    /// <summary>
    /// Ends CPU 1's loop: the stop IPI wakes a halted target, and the target takes it before
    /// it returns either way, so none is left pending in its IRR for the next series.
    /// </summary>
    private static bool StopTarget()
    {
        s_stop = 1;
        Apic.SendIpiNoWait(Smp.ApicIdOf(Target), (uint)StopVector | ApicRegisters.IcrFixed | ApicRegisters.IcrPhysical
            | ApicRegisters.IcrNoShorthand | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrTriggerEdge);
        return Smp.WaitIdle(Target);
    }

    /// <summary>CPU 1, leaving a loop: interrupts open until the stop IPI was taken (bounded).</summary>
    private static void TakeStop()
    {
        ulong giveUp = Tsc.Deadline(WaitUs);
        Cpu.EnableInterrupts();
        while (s_stopTaken == 0 && !Tsc.Passed(giveUp)) Cpu.Pause();
        Cpu.DisableInterrupts();
    }

    // ---------------- TSC agreement between CPU 0 and CPU 1 ----------------

    /// <summary>
    /// CPU 0 reads its TSC (t0) and passes the turn; CPU 1 reads its own (t1) and passes it
    /// back; CPU 0 reads again (t2). With CPU 1's TSC = CPU 0's + offset, causality gives
    /// t1 − t2 &lt; offset &lt; t1 − t0 in every round; the tightest bounds over the rounds are
    /// reported. The TSCs agree when 0 lies within them. LFENCE; RDTSC orders each read after
    /// the load that saw the turn.
    /// </summary>
    private static bool CheckTscSync()
    {
        bool invariant = Cpu.Cpuid(CpuidLeaves.ExtendedMax).Eax >= LeafPowerManagement
                         && CpuidLeaves.Has(Cpu.Cpuid(LeafPowerManagement).Edx, EdxInvariantTsc);
        Report.Metric("wakeup.tsc.invariant", invariant ? 1 : 0, "bool");
        s_turn = 0;
        if (!Report.Check(Smp.OnCpuAsync(Target, &TscResponder, null), "wakeup.tsc.responder_started", "CPU 1 could not be given the TSC ping-pong")) return false;
        long low = long.MinValue, high = long.MaxValue;
        ulong roundTrip = ulong.MaxValue;
        int answered = 0;
        fixed (int* turn = &s_turn)
            for (int i = 0; i < TscRounds; i++)
            {
                ulong t0 = Cpu.TimerEnd();
                s_turn = 2 * i + 1;
                if (!WaitFor(turn, 2 * i + 2)) break;
                ulong t2 = Cpu.TimerEnd();
                ulong t1 = s_apTsc;
                long lo = (long)(t1 - t2), hi = (long)(t1 - t0);
                if (lo > low) low = lo;
                if (hi < high) high = hi;
                if (t2 - t0 < roundTrip) roundTrip = t2 - t0;
                answered++;
            }
        s_turn = -1;
        Smp.WaitIdle(Target);
        if (!Report.Check(answered == TscRounds, "wakeup.tsc.check_ran", "CPU 1 stopped answering the TSC ping-pong within 1 s")) return false;
        Report.Metric("wakeup.tsc.rounds", answered, "count");
        Report.Metric("wakeup.tsc.offset_low", low, "cycles");
        Report.Metric("wakeup.tsc.offset_high", high, "cycles");
        Report.Metric("wakeup.tsc.roundtrip_min", (long)roundTrip, "cycles");
        Report.Metric("wakeup.tsc.synchronised", low <= 0 && high >= 0 ? 1 : 0, "bool");
        return true;
    }

    private static void TscResponder(void* arg)
    {
        for (int i = 0; i < TscRounds; i++)
        {
            fixed (int* turn = &s_turn)
                if (!WaitFor(turn, 2 * i + 1)) return;
            s_apTsc = Cpu.TimerEnd();
            s_turn = 2 * i + 2;
        }
    }

    /// <summary>Spins until *<paramref name="flag"/> == <paramref name="value"/> (or -1: abandoned); bounded by the TSC.</summary>
    private static bool WaitFor(int* flag, int value)
    {
        ulong giveUp = Tsc.Deadline(WaitUs);
        int spins = 0;
        while (*flag != value)
        {
            if (*flag == -1) return false;
            Cpu.Pause();
            if ((++spins & (SpinsPerTscCheck - 1)) == 0 && Tsc.Passed(giveUp)) return false;
        }
        return true;
    }

    // ---------------- IPI and MSI: sent by CPU 0 ----------------

    /// <summary>
    /// One series: CPU 1 says it is ready (running or about to halt), CPU 0 waits gap_us so a
    /// halting CPU 1 is really asleep, stamps its TSC and sends; CPU 1's handler stamps its
    /// own. Every send must reach the handler exactly once.
    /// </summary>
    private static void CrossCpuSeries(bool msi, bool halt, string key)
    {
        Report.Info("wakeup.series", key);
        s_count = 0;
        s_ready = 0;
        s_stop = 0;
        s_stopTaken = 0;
        s_halt = halt ? 1 : 0;
        if (!Report.Check(Smp.OnCpuAsync(Target, &TargetLoop, null), "wakeup.", key, ".target_started", "CPU 1 could not be started as the target")) return;
        uint destination = Smp.ApicIdOf(Target);
        uint icrLow = (uint)IpiVector | ApicRegisters.IcrFixed | ApicRegisters.IcrPhysical | ApicRegisters.IcrNoShorthand
                    | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrTriggerEdge;
        int n = s_samplesWanted, got = 0;
        bool ready = true, delivered = true;
        fixed (ulong* d = s_samples.Value)
            for (int i = 0; i < n; i++)
            {
                int before = s_count;
                fixed (int* r = &s_ready)
                    if (!WaitFor(r, before + 1)) { ready = false; break; }
                Tsc.DelayMicroseconds(s_gapUs);
                ulong t0 = Cpu.TimerBegin();
                if (msi) Edu.Raise(RaiseValue);
                else Apic.SendIpiNoWait(destination, icrLow);
                if (!WaitCountAbove(before)) { delivered = false; break; }
                d[got++] = (ulong)(long)(s_stamp - t0) ^ SignFlip;
            }
        Tsc.DelayMicroseconds(QuietUs);
        int total = s_count;
        bool stopped = StopTarget();

        Report.Check(ready, "wakeup.", key, ".target_ready", "CPU 1 never said it was ready for the next sample within 1 s");
        Report.Check(delivered, "wakeup.", key, ".delivered",
            msi ? "an edu MSI never reached CPU 1's handler within 1 s" : "an IPI from CPU 0 never reached CPU 1's handler within 1 s");
        Report.CheckRange("wakeup.", key, ".at_most_once", total, got, got);
        Report.Check(stopped, "wakeup.", key, ".target_stopped", "CPU 1 did not leave its target loop");
        Summarise(key, got, n);
    }

    /// <summary>Bounded wait for one more delivery than <paramref name="before"/>.</summary>
    private static bool WaitCountAbove(int before)
    {
        ulong giveUp = Tsc.Deadline(WaitUs);
        int spins = 0;
        while (s_count == before)
        {
            Cpu.Pause();
            if ((++spins & (SpinsPerTscCheck - 1)) == 0 && Tsc.Passed(giveUp)) return false;
        }
        return true;
    }

    /// <summary>CPU 1: says which delivery it waits for, then spins with IF=1 or halts until it came.</summary>
    private static void TargetLoop(void* arg)
    {
        ulong end = Tsc.Deadline(TargetLifetimeUs);
        Cpu.DisableInterrupts();
        while (s_stop == 0 && !Tsc.Passed(end))
        {
            int seen = s_count;
            s_ready = seen + 1;
            if (s_halt != 0)
            {
                // A wake-up without an interrupt halts again: only the handler ends the wait.
                while (s_count == seen && s_stop == 0)
                {
                    Cpu.EnableInterruptsAndHalt();
                    Cpu.DisableInterrupts();
                }
            }
            else
            {
                Cpu.EnableInterrupts();
                int spins = 0;
                while (s_count == seen && s_stop == 0)
                {
                    Cpu.Pause();
                    if ((++spins & (SpinsPerTscCheck - 1)) == 0 && Tsc.Passed(end)) break;
                }
                Cpu.DisableInterrupts();
            }
        }
        TakeStop();
        s_ready = 0;
    }

    // ---------------- the TSC-deadline timer: armed by CPU 1 itself ----------------

    private static void TimerSeries(bool halt, string key)
    {
        Report.Info("wakeup.series", key);
        if (!Apic.TscDeadlineSupported)
        {
            Report.Skip("wakeup.", key, "CPUID.1:ECX.TSC_Deadline[24] is clear: no TSC-deadline timer");
            return;
        }
        s_count = 0;
        s_timerGot = 0;
        s_timerDone = 0;
        s_timerEarly = 0;
        s_halt = halt ? 1 : 0;
        s_stop = 0;
        s_stopTaken = 0;
        if (!Report.Check(Smp.OnCpuAsync(Target, &TimerTarget, null), "wakeup.", key, ".target_started", "CPU 1 could not be started as the target")) return;
        // Progress-bounded: every deadline must fire within gap_us plus the wait.
        int last = 0;
        ulong giveUp = Tsc.Deadline(WaitUs) + s_gapCycles;
        while (s_timerDone == 0)
        {
            Cpu.Pause();
            int now = s_count;
            if (now != last) { last = now; giveUp = Tsc.Deadline(WaitUs) + s_gapCycles; }
            else if (Tsc.Passed(giveUp)) break;
        }
        bool fired = s_timerDone != 0;
        bool stopped = StopTarget();
        int got = s_timerGot;
        Report.Check(fired && got == s_samplesWanted, "wakeup.", key, ".delivered", "CPU 1's TSC-deadline timer never fired within gap_us + 1 s of its deadline");
        Report.CheckRange("wakeup.", key, ".at_most_once", s_count, got, got);
        Report.CheckRange("wakeup.", key, ".not_early", s_timerEarly, 0, 0);
        Report.Check(stopped, "wakeup.", key, ".target_stopped", "CPU 1 did not leave its timer loop");
        Summarise(key, got, s_samplesWanted);
    }

    /// <summary>
    /// CPU 1: arms the deadline gap_us ahead, spins or halts until the handler ran, and keeps
    /// the handler's TSC minus the deadline. The timer fires at TSC ≥ deadline (SDM vol. 3A
    /// 11.5.4.1), so a negative figure is counted as early.
    /// </summary>
    private static void TimerTarget(void* arg)
    {
        Cpu.DisableInterrupts();
        Apic.TimerTscDeadline(TimerVector, TscDeadlineMsr.Disarmed);
        int n = s_samplesWanted, got = 0;
        fixed (ulong* d = s_samples.Value)
            for (int i = 0; i < n && s_stop == 0; i++)
            {
                int seen = s_count;
                ulong deadline = Cpu.Rdtsc() + s_gapCycles;
                Cpu.WriteMsr(TscDeadlineMsr.Msr, deadline);
                if (s_halt != 0)
                    while (s_count == seen && s_stop == 0)
                    {
                        Cpu.EnableInterruptsAndHalt();
                        Cpu.DisableInterrupts();
                    }
                else
                {
                    Cpu.EnableInterrupts();
                    while (s_count == seen && s_stop == 0) Cpu.Pause();
                    Cpu.DisableInterrupts();
                }
                if (s_count == seen) break;
                long late = (long)(s_stamp - deadline);
                if (late < 0) s_timerEarly = s_timerEarly + 1;
                d[got++] = (ulong)late ^ SignFlip;
            }
        Tsc.DelayMicroseconds(QuietUs);
        Apic.TimerStop();
        s_timerGot = got;
        s_timerDone = 1;
        TakeStop();
    }

    // ---------------- figures ----------------

    /// <summary>Index of the n-th decile in <paramref name="got"/> sorted samples (the median's rule: d[got * n / 10]).</summary>
    private static int Decile(int got, int n) => got * n / Deciles;

    private static void Summarise(string key, int got, int wanted)
    {
        Report.Metric("wakeup.", key, ".sent", wanted, "count");
        Report.Metric("wakeup.", key, ".samples", got, "count");
        if (got == 0) return;
        fixed (ulong* d = s_samples.Value)
        {
            Sort.Ascending(d, got);
            int negative = 0;
            for (int i = 0; i < got; i++) if ((long)(d[i] ^ SignFlip) < 0) negative++;
            int p99 = (got * PercentileP99 + Percent - 1) / Percent - 1;
            Report.Metric("wakeup.", key, ".min", (long)(d[0] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".median", (long)(d[got / 2] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p99", (long)(d[p99] ^ SignFlip), "cycles");
            // The deciles draw the distribution (runner wakeup --plot), not only its three figures.
            Report.Metric("wakeup.", key, ".p10", (long)(d[Decile(got, 1)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p20", (long)(d[Decile(got, 2)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p30", (long)(d[Decile(got, 3)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p40", (long)(d[Decile(got, 4)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p60", (long)(d[Decile(got, 6)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p70", (long)(d[Decile(got, 7)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p80", (long)(d[Decile(got, 8)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".p90", (long)(d[Decile(got, 9)] ^ SignFlip), "cycles");
            Report.Metric("wakeup.", key, ".negative", negative, "count");
        }
    }
}
