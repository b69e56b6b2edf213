using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kernel;

/// <summary>
/// IPI round-trip cost, the figure the KVM IPI-virtualization patch published: the
/// sender writes the ICR, the target's handler EOIs and acknowledges, the sender
/// waits for the acknowledgement. Timed with the fenced TSC over a batch (average)
/// and per round trip (min, median, p99), once in C# and once in assembly
/// (kernel/boot/ipi.asm), so the cost of C# is itself a measured figure.
///
/// kind=pv sends each IPI with KVM's PV hypercall (KVM_HC_SEND_IPI, kernel/lib/KvmHypercall.cs)
/// instead of the ICR, in C# and in assembly alike, after a first call on the target CPU,
/// watched from here, showed that the hypercall returns on this host.
///
/// Command line: apic=xapic|x2apic target=spin|halt kind=unicast|self|broadcast|pv
/// iters=N warmup=N sync=0|1 (sync: rendezvous with the runner around the timed
/// C# batch, which reads KVM's exit counters there).
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "ipi";

    private const int Vector = 0xE0;
    private const int DefaultIterations = 1000, MaxIterations = 100_000, DefaultWarmup = 100;
    private const ulong AckWaitUs = 1_000_000;          // one round trip; far above any real cost
    private const ulong TargetLifetimeUs = 60_000_000;  // a target loop gives up after this
    private const int OverheadSamples = 256;
    private const int SpinsPerTscCheck = 1024;          // SPINS_PER_TSC_CHECK in boot/ipi.asm

    [StructLayout(LayoutKind.Sequential)]
    private struct AsmParams                              // IpiAsmParams in boot/ipi.asm
    {
        public uint X2Apic, Msr, Low, High, Iterations, AcksPerIpi;
        public ulong WaitCycles;
        public ulong* Samples;
        public uint Pv, Vmmcall;                          // P_PV, P_VMMCALL
    }

    [DllImport("*"), SuppressGCTransition] private static extern ulong ipi_asm_roundtrip(AsmParams* p);
    [DllImport("*"), SuppressGCTransition] private static extern ulong ipi_asm_handler_address(int x2apic);

    // Samples live in .bss rather than on the heap: no allocation in the measured kernel.
    private struct SampleBuffer { public fixed ulong Values[MaxIterations]; }
    private static SampleBuffer s_samples;

    /// <summary>Handlers' acknowledgements: alone in its class, so its address is one RIP-relative operand.</summary>
    private static class Ack { public static int Count; }
    private static int s_stop;
    private static int s_halt;

    // How the timed loops send: the ICR, the x2APIC SELF IPI register, or the PV hypercall.
    private const int SendIcr = 0, SendSelfRegister = 1, SendPv = 2;
    private static int s_send;
    private const ulong PvProbeWaitUs = 2_000_000;      // a hypercall takes microseconds; this is a hang

    public static void Run()
    {
        bool x2apic = CommandLine.Is("apic", "x2apic");
        bool broadcast = CommandLine.Is("kind", "broadcast");
        bool self = CommandLine.Is("kind", "self");
        bool pv = CommandLine.Is("kind", "pv");
        s_halt = CommandLine.Is("target", "halt") ? 1 : 0;
        int iterations = (int)CommandLine.GetInt("iters", DefaultIterations);
        int warmup = (int)CommandLine.GetInt("warmup", DefaultWarmup);
        if (iterations < 1 || iterations > MaxIterations)
        {
            Report.Check(false, "ipi.iterations_valid", "iters must be 1..100000");
            return;
        }

        Report.Info("ipi.apic", x2apic ? "x2apic" : "xapic");
        Report.Info("ipi.kind", self ? "self" : broadcast ? "broadcast" : pv ? "pv" : "unicast");
        Report.Info("ipi.target", self ? "self" : s_halt != 0 ? "halt" : "spin");

        if (x2apic && !Apic.X2ApicSupported)
        {
            Report.Skip("ipi.x2apic", "CPUID.1:ECX.x2APIC is clear: this virtual CPU has no x2APIC");
            return;
        }
        if (!self && Smp.CpuCount < 2)
        {
            Report.Skip("ipi.cross_cpu", "one vCPU: a unicast or broadcast IPI needs a second CPU (runner: --cpus 2)");
            return;
        }
        if (pv && !KvmHypercall.SendIpiOffered)
        {
            Report.Skip("ipi.pv_offered", "CPUID 0x40000001 bit 11 (KVM_FEATURE_PV_SEND_IPI) is clear or this is not a KVM guest");
            return;
        }

        Report.Check(Apic.Init(x2apic ? ApicMode.X2Apic : ApicMode.XApic), "ipi.apic_mode_set");
        Report.Check(Apic.InitOtherCpus(), "ipi.target_apic_ready", "a target CPU could not put its APIC into the requested mode");
        // The timed C# path takes a light lean entry (kernel/lib/LeanIdt.cs), which saves only
        // the registers its handler for the mode (OnIpiX2Apic, OnIpiXApic) writes; the general dispatcher's handler stays for the last
        // wake-up, after the gate is restored.
        Idt.Set(Vector, &OnIpi);
        bool installed = x2apic ? LeanIdt.InstallLight(Vector, LightEntryX2Apic) : LeanIdt.InstallRaxOnly(Vector, RaxEntryXApic);
        if (!Report.Check(installed, "ipi.lean_entry_installed")) return;

        uint destination = self ? 0 : broadcast ? 0 : Smp.ApicIdOf(1);
        uint shorthand = self ? ApicRegisters.IcrSelf : broadcast ? ApicRegisters.IcrAllExcludingSelf : ApicRegisters.IcrNoShorthand;
        uint icrLow = (uint)Vector | ApicRegisters.IcrFixed | ApicRegisters.IcrPhysical | shorthand
                    | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrTriggerEdge;
        int acksPerIpi = broadcast ? Smp.CpuCount - 1 : 1;
        s_send = pv ? SendPv : self && x2apic ? SendSelfRegister : SendIcr;
        if (pv)
        {
            Report.Info("ipi.pv.instruction", KvmHypercall.Instruction);
            // A host whose hypercall never returns would take the sender with it: try it on
            // the target first, watched from here, and end the run if it never came back.
            bool returned = KvmHypercall.SendIpiReturnsOn(1, PvProbeWaitUs, out _);
            if (!Report.Check(returned, "ipi.pv.hypercall_returns",
                    "KVM_HC_SEND_IPI on CPU 1 did not return within 2 s: that vCPU is stuck in the host"))
                Report.Finish();
        }

        s_stop = 0;
        if (!self)
            for (int cpu = 1; cpu < Smp.CpuCount; cpu++) Smp.OnCpuAsync(cpu, &TargetLoop, null);
        else
            Cpu.EnableInterrupts();         // the sender is its own target

        Tsc.MeasureOverhead(OverheadSamples, out ulong overheadMin, out ulong overheadMedian);
        Report.Metric("timer.overhead.min", (long)overheadMin, "cycles");
        Report.Metric("timer.overhead.median", (long)overheadMedian, "cycles");
        Report.Metric("ipi.iterations", iterations, "count");

        bool ok = CSharpLoop(warmup, destination, icrLow, acksPerIpi, null) != 0;
        Report.Check(ok, "ipi.warmup_acknowledged", "a warm-up IPI was never acknowledged by the target's handler");

        long csharpAvg = 0, asmAvg = 0;
        fixed (ulong* samples = s_samples.Values)
        {
            if (!Report.SyncBaseline() || !Report.Sync("measure-begin")) return;
            ulong batch = CSharpBatch(iterations, destination, icrLow, acksPerIpi);
            if (!Report.Sync("measure-end")) return;
            ok &= Report.Check(batch != 0, "ipi.csharp.batch_acknowledged", "an IPI of the timed C# batch was never acknowledged");
            csharpAvg = (long)(batch / (ulong)iterations);
            Report.Metric("ipi.cycles.avg", csharpAvg, "cycles");
            ok &= Report.Check(CSharpLoop(iterations, destination, icrLow, acksPerIpi, samples) != 0,
                "ipi.csharp.samples_acknowledged", "an IPI of the sampled C# loop was never acknowledged");
            Distribution("ipi.cycles.min", "ipi.cycles.median", "ipi.cycles.p99", samples, iterations);

            // The same round trip in assembly, with its own bare handler in the gate.
            Idt.SetRawGate(Vector, ipi_asm_handler_address(x2apic ? 1 : 0));
            AsmParams p = AsmFor(x2apic, self, destination, icrLow, iterations, acksPerIpi);
            ulong asmBatch = ipi_asm_roundtrip(&p);
            ok &= Report.Check(asmBatch != 0, "ipi.asm.batch_acknowledged", "an IPI of the assembly batch was never acknowledged");
            asmAvg = (long)(asmBatch / (ulong)iterations);
            Report.Metric("ipi.asm.cycles.avg", asmAvg, "cycles");
            p.Samples = samples;
            ok &= Report.Check(ipi_asm_roundtrip(&p) != 0, "ipi.asm.samples_acknowledged",
                "an IPI of the sampled assembly loop was never acknowledged");
            Distribution("ipi.asm.cycles.min", "ipi.asm.cycles.median", "ipi.asm.cycles.p99", samples, iterations);
            LeanIdt.Remove(Vector);
        }
        if (asmAvg > 0) Report.Metric("ipi.csharp_over_asm_permille", csharpAvg * 1000 / asmAvg, "permille");

        StopTargets(self, destination, icrLow);
        Report.Check(ok, "ipi.all_round_trips_completed");
    }

    /// <summary>The lean entries whose handlers are <see cref="OnIpiX2Apic"/> (light: the EOI's WRMSR writes rax, rcx, rdx) and <see cref="OnIpiXApic"/> (rax-only: its EOI is a store through rax); their export names say so.</summary>
    private const int LightEntryX2Apic = 0, RaxEntryXApic = 0;

    // The timed path's handlers, one per APIC mode (chosen once, at install, so the EOI is a
    // direct call), each called straight from its entry, which saves only rax, rcx and rdx
    // (x2APIC) or rax alone (xAPIC): `imagetool check` fails the build if this code, or what it
    // calls, writes another register.
    // RuntimeExport rather than UnmanagedCallersOnly: the same exported symbol without the
    // reverse-P/Invoke bracket (a frame and two calls of an empty RhpReversePInvoke), which this
    // runtime, without a GC or threads to suspend, has nothing to do in.
    // Acknowledge, then EOI, as boot/ipi.asm's handlers and kvm-unit-tests' on_cpu() handler
    // do: the sender's next IPI is held in the IRR until this EOI, so every EOI but the last
    // one's is still inside the timed batch.
    [System.Runtime.RuntimeExport("lean_light_handler_0")]
    private static void OnIpiX2Apic()
    {
        System.Threading.Interlocked.ExchangeAdd(ref Ack.Count, 1);
        Apic.EoiX2Apic();
    }

    [System.Runtime.RuntimeExport("lean_rax_handler_0")]
    private static void OnIpiXApic()
    {
        System.Threading.Interlocked.ExchangeAdd(ref Ack.Count, 1);
        Apic.EoiXApic();
    }

    private static void OnIpi(InterruptFrame* frame)
    {
        Apic.Eoi();
        System.Threading.Interlocked.ExchangeAdd(ref Ack.Count, 1);
    }

    /// <summary>The target: interrupts on, spinning or halted, until told to stop.</summary>
    private static void TargetLoop(void* arg)
    {
        LeanIdt.SerializeAfterInstall();
        ulong deadline = Tsc.Deadline(TargetLifetimeUs);
        if (s_halt != 0)
        {
            while (s_stop == 0 && !Tsc.Passed(deadline)) Cpu.EnableInterruptsAndHalt();
        }
        else
        {
            Cpu.EnableInterrupts();
            while (s_stop == 0 && !Tsc.Passed(deadline)) Cpu.Pause();
        }
        Cpu.DisableInterrupts();
    }

    /// <summary>
    /// Sends <paramref name="count"/> IPIs, each after the previous one was acknowledged.
    /// Returns the batch's cycles (or 1 when sampling into <paramref name="samples"/>),
    /// 0 if an acknowledgement never came.
    /// </summary>
    private static ulong CSharpLoop(int count, uint destination, uint icrLow, int acksPerIpi, ulong* samples)
    {
        Ack.Count = 0;
        int send = s_send;
        int expected = 0;
        ulong start = Cpu.TimerBegin();
        // One deadline for the whole loop, checked every SpinsPerTscCheck spins: RDTSC
        // traps on some hosts, and boot/ipi.asm bounds its wait the same way.
        ulong giveUp = start + Tsc.MicrosecondsToCycles(AckWaitUs) * (ulong)count;
        for (int i = 0; i < count; i++)
        {
            ulong t0 = samples != null ? Cpu.TimerBegin() : 0;
            if (send == SendIcr) Apic.SendIpiNoWait(destination, icrLow);
            else if (send == SendPv) KvmHypercall.SendIpi(1, 0, destination, icrLow);
            else X2Apic.SelfIpi(Vector);
            expected += acksPerIpi;
            if (!WaitAcks(expected, giveUp)) return 0;
            if (samples != null) samples[i] = Cpu.TimerEnd() - t0;
        }
        ulong end = Cpu.TimerEnd();
        return samples != null ? 1 : end - start;
    }

    /// <summary>The send's operands, read from memory each time as boot/ipi.asm reads its IpiAsmParams.</summary>
    private static class Batch { public static uint Destination, IcrLow; public static int AcksPerIpi, Send; }

    /// <summary>
    /// The timed batch: <see cref="CSharpLoop"/> without samples, with its operands in
    /// <see cref="Batch"/> so that the loop keeps its few live values in registers (each
    /// spilled one costs instructions per round trip). Its cycles, or 0 if an acknowledgement never came.
    /// </summary>
    private static ulong CSharpBatch(int count, uint destination, uint icrLow, int acksPerIpi)
    {
        Batch.Destination = destination;
        Batch.IcrLow = icrLow;
        Batch.AcksPerIpi = acksPerIpi;
        Batch.Send = s_send;
        Ack.Count = 0;
        int last = acksPerIpi * count;
        ulong start = Cpu.TimerBegin();
        ulong giveUp = start + Tsc.MicrosecondsToCycles(AckWaitUs) * (ulong)count;
        for (int expected = 0; expected < last; )
        {
            if (Batch.Send == SendIcr) Apic.SendIpiNoWait(Batch.Destination, Batch.IcrLow);
            else if (Batch.Send == SendPv) KvmHypercall.SendIpi(1, 0, Batch.Destination, Batch.IcrLow);
            else X2Apic.SelfIpi(Vector);
            expected += Batch.AcksPerIpi;
            if (!WaitAcks(expected, giveUp)) return 0;
        }
        return Cpu.TimerEnd() - start;
    }

    /// <summary>Spins until the handlers have counted <paramref name="expected"/>; false at <paramref name="giveUp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WaitAcks(int expected, ulong giveUp)
    {
        uint spins = 0;
        while (Ack.Count < expected)
        {
            Cpu.Pause();
            if ((++spins & (SpinsPerTscCheck - 1)) == 0 && Cpu.Rdtsc() > giveUp) return false;
        }
        return true;
    }

    private static AsmParams AsmFor(bool x2apic, bool self, uint destination, uint icrLow, int iterations, int acksPerIpi)
    {
        AsmParams p;
        p.X2Apic = x2apic ? 1u : 0u;
        p.Msr = self && x2apic ? ApicRegisters.X2ApicSelfIpiMsr : ApicRegisters.X2ApicIcrMsr;
        p.Low = self && x2apic ? (uint)Vector : icrLow;
        p.High = s_send == SendPv ? destination
               : x2apic ? (self ? 0 : destination)
                        : (destination & ApicRegisters.XApicIdMask) << ApicRegisters.XApicIcrDestinationShift;
        p.Iterations = (uint)iterations;
        p.AcksPerIpi = (uint)acksPerIpi;
        p.WaitCycles = Tsc.MicrosecondsToCycles(AckWaitUs);
        p.Samples = null;
        p.Pv = s_send == SendPv ? 1u : 0u;
        p.Vmmcall = KvmHypercall.UsesVmmcall ? 1u : 0u;
        return p;
    }

    private static void Distribution(string minName, string medianName, string p99Name, ulong* samples, int n)
    {
        Sort.Ascending(samples, n);
        Report.Metric(minName, (long)samples[0], "cycles");
        Report.Metric(medianName, (long)samples[n / 2], "cycles");
        Report.Metric(p99Name, (long)samples[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], "cycles");
    }

    private static void StopTargets(bool self, uint destination, uint icrLow)
    {
        s_stop = 1;
        if (self)
        {
            Cpu.DisableInterrupts();
            return;
        }
        // A halted target only sees the flag when something wakes it.
        Apic.SendIpiNoWait(destination, icrLow);
        bool stopped = true;
        for (int cpu = 1; cpu < Smp.CpuCount; cpu++) stopped &= Smp.WaitIdle(cpu);
        Report.Check(stopped, "ipi.targets_stopped");
    }
}
