using Kernel;

/// <summary>
/// Message-signalled interrupts from a PCI device (PCI Local Bus 3.0 6.8.1; Intel SDM
/// vol. 3A 11.11), with QEMU's `edu` device as the source: find it on bus 0, place its
/// BAR, program its MSI capability to each vCPU in turn (physical destination = that
/// CPU's APIC ID, a distinct vector each), make the device raise it, and check that
/// exactly that CPU took exactly that vector. Then MSI disabled (and per-vector mask
/// when offered) blocks delivery, re-enabled delivers; and the latency from the
/// device register write to the handler's first instruction, in TSC cycles.
///
/// Needs a machine with PCI: `-M microvm,pcie=on -device edu` (ECAM) or
/// `-M q35 -device edu` (ports 0xCF8/0xCFC). SKIPs when there is no edu.
/// Command line: apic=xapic|x2apic (default x2apic when offered), samples=N,
/// pci=ecam (skip the 0xCF8 probe: ECAM from MCFG, e.g. on q35).
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "msi";

    /// <summary>Vector for CPU c is VBase + c: distinct per CPU, all in one priority class range.</summary>
    private const int VBase = 0x60;
    private const int VMask = 0x90, VLatency = 0xA0;
    private const uint RaiseValue = 1;
    /// <summary>Mask and pending bit of the function's only vector (vector 0).</summary>
    private const uint Vector0Bit = 1;

    private const ulong WaitUs = 1_000_000;        // something that must happen
    private const ulong QuietUs = 20_000;          // a window in which nothing may happen
    private const ulong ReceiverUs = 1_500_000;    // an AP listening for one delivery
    /// <summary>An AP listening through the whole latency series (released as soon as it ends).</summary>
    private const ulong LatencyReceiverUs = 30_000_000;
    private const uint LivenessProbe = 0x12345678;
    private const int DefaultSamples = 200, MaxSamples = 1000;
    private const int OverheadSamples = 256;

    private struct PerCpuInts { public fixed int Value[PerCpu.MaxCpus]; }
    private static PerCpuInts s_hits, s_vector;

    // Latency: the handler's timestamp and a delivery count.
    private static ulong s_handlerTsc;
    private static int s_latencyCount;
    private struct Samples { public fixed ulong Value[MaxSamples]; }
    private static Samples s_samples;

    private static ApicMode s_mode;

    public static void Run()
    {
        if (!Edu.Open())
        {
            if (Edu.Absent) Report.Skip("msi", Edu.Problem);
            else Report.Check(false, "msi.edu.open", Edu.Problem);
            return;
        }
        Report.Info("msi.pci.mechanism", Pci.MechanismName);
        if (Pci.Mechanism == Pci.MechanismEcam) Report.InfoHex("msi.pci.ecam_base", Pci.EcamBase);
        Report.InfoHex("msi.edu.bdf", (ulong)Edu.Bdf);
        Report.InfoHex("msi.edu.bar0", Edu.Mmio);
        Report.Metric("msi.pci.functions", Pci.CountFunctions(), "count");

        s_mode = Apic.X2ApicSupported ? ApicMode.X2Apic : ApicMode.XApic;
        if (CommandLine.Is("apic", "xapic")) s_mode = ApicMode.XApic;
        else if (CommandLine.Is("apic", "x2apic") && !Apic.X2ApicSupported)
        {
            Report.Skip("msi.x2apic", "CPUID.1:ECX.x2APIC[bit 21] is clear: this virtual CPU has no x2APIC");
            return;
        }
        Report.Info("msi.apic.mode", s_mode == ApicMode.X2Apic ? "x2apic" : "xapic");

        Device();
        if (!SetUpCpus()) return;
        Delivery();
        Masking();
        Latency();
        Edu.DisableMsi();
        Edu.Acknowledge(Edu.Status);
        Report.Metric("msi.spurious_interrupts", Apic.SpuriousCount, "count");
    }

    // =====================================================================
    // The device and its capability
    // =====================================================================

    private static void Device()
    {
        uint id = Edu.Id;
        Report.CheckEqual("msi.edu.identification", Edu.IdentificationMagic, id & Edu.IdentificationMagicMask);
        Report.Metric("msi.edu.version_major", (id >> Edu.IdentificationMajorShift) & Edu.IdentificationVersionMask, "count");
        Edu.Write(Edu.Liveness, LivenessProbe);
        Report.CheckEqual("msi.edu.liveness_inverts", ~LivenessProbe, Edu.Read(Edu.Liveness));
        Report.CheckEqual("msi.pci.bar0_size", Edu.Bar0Size, Pci.MemoryBarSize(Edu.Bdf, 0));
        Report.Check((Pci.ReadCommand(Edu.Bdf) & Pci.CommandMemorySpace) != 0, "msi.pci.memory_space_enabled",
            "command register memory space bit is clear after mapping BAR0");
        Report.Check(Edu.MsiCap != 0, "msi.cap.found", "no MSI capability (ID 0x05) in the capability list");
        Report.Metric("msi.cap.offset", Edu.MsiCap, "hex");
        bool is64 = Msi.Is64Bit(Edu.Bdf, Edu.MsiCap);
        Report.Metric("msi.cap.64bit_address", is64 ? 1 : 0, "bool");
        Report.Metric("msi.cap.per_vector_masking", Msi.HasPerVectorMasking(Edu.Bdf, Edu.MsiCap) ? 1 : 0, "bool");
        Report.Check(!Msi.IsEnabled(Edu.Bdf, Edu.MsiCap), "msi.cap.disabled_at_start", "MSI enable was already set before the guest programmed it");

        uint bspId = Smp.ApicIdOf(0);
        Edu.ProgramMsi(bspId, VBase);
        Report.CheckEqual("msi.cap.address_readback", Msi.MessageAddressFor(bspId, false, false), Msi.ReadAddress(Edu.Bdf, Edu.MsiCap));
        Report.CheckEqual("msi.cap.data_readback", Msi.MessageDataFor(VBase), Msi.ReadData(Edu.Bdf, Edu.MsiCap));
        Report.Check(Msi.IsEnabled(Edu.Bdf, Edu.MsiCap), "msi.cap.enable_readback", "MSI enable bit did not read back set");
        ushort command = Pci.ReadCommand(Edu.Bdf);
        Report.Check((command & Pci.CommandBusMaster) != 0, "msi.pci.bus_master_enabled", "command register bus master bit did not read back set");
        Edu.DisableMsi();
    }

    // =====================================================================
    // CPUs: APIC mode everywhere, handlers, receivers
    // =====================================================================

    private static bool SetUpCpus()
    {
        Cpu.DisableInterrupts();
        if (!Report.Check(Apic.Init(s_mode), "msi.apic.init", "could not put the BSP's APIC into the requested mode")) return false;
        if (!Report.Check(Apic.InitOtherCpus(), "msi.apic.ap_init", "an AP could not put its APIC into the requested mode")) return false;
        for (int c = 0; c < Smp.CpuCount; c++) Idt.Set(VBase + c, &OnMsi);
        Idt.Set(VMask, &OnMsi);
        Idt.Set(VLatency, &OnLatency);
        return true;
    }

    /// <summary>Records which CPU took which vector, acknowledges the device, EOIs.</summary>
    private static void OnMsi(InterruptFrame* frame)
    {
        int me = Smp.CurrentCpu;
        s_vector.Value[me] = (int)frame->Vector;
        Edu.Acknowledge(RaiseValue);
        fixed (int* hits = s_hits.Value) Atomic.FetchAdd(hits + me, 1);
        Apic.Eoi();
    }

    /// <summary>Timestamp first (the latency's end), then the usual acknowledgements.</summary>
    private static void OnLatency(InterruptFrame* frame)
    {
        s_handlerTsc = Cpu.TimerEnd();
        Edu.Acknowledge(RaiseValue);
        Apic.Eoi();
        fixed (int* n = &s_latencyCount) Atomic.FetchAdd(n, 1);
    }

    private static int LastAp => Smp.CpuCount - 1;

    private static void ClearHits()
    {
        for (int c = 0; c < PerCpu.MaxCpus; c++) { s_hits.Value[c] = 0; s_vector.Value[c] = 0; }
    }

    private static int TotalHits()
    {
        int sum = 0;
        for (int c = 0; c < Smp.CpuCount; c++) sum += s_hits.Value[c];
        return sum;
    }

    /// <summary>
    /// BSP with interrupts open until <paramref name="target"/> deliveries were counted
    /// (TSC-bounded), then a quiet window for extra or misdirected ones. Leaves IF clear.
    /// Returns whether the target was reached.
    /// </summary>
    private static bool WaitHits(int target)
    {
        ulong end = Tsc.Deadline(WaitUs);
        Cpu.EnableInterrupts();
        bool reached = false;
        for (;;)
        {
            if (TotalHits() >= target) { reached = true; break; }
            if (Tsc.Passed(end)) break;
            Cpu.Pause();
        }
        InterruptWindow.Open(QuietUs);
        return reached;
    }

    // =====================================================================
    // Delivery to each CPU
    // =====================================================================

    private static void Delivery()
    {
        bool arrived = true, onlyTarget = true, rightVector = true, once = true, ready = true;
        for (int c = 0; c < Smp.CpuCount; c++)
        {
            ClearHits();
            if (!ApReceivers.Start(1, LastAp, ReceiverUs)) { ready = false; ApReceivers.Stop(1, LastAp); continue; }
            Edu.ProgramMsi(Smp.ApicIdOf(c), VBase + c);
            Edu.Raise(RaiseValue);
            arrived &= WaitHits(1);
            ApReceivers.Stop(1, LastAp);
            Edu.DisableMsi();
            for (int d = 0; d < Smp.CpuCount; d++)
                if (d != c && s_hits.Value[d] != 0) onlyTarget = false;
            once &= s_hits.Value[c] <= 1;
            if (s_hits.Value[c] >= 1) rightVector &= s_vector.Value[c] == VBase + c;
            else arrived = false;
        }
        Report.Metric("msi.cpus_targeted", Smp.CpuCount, "count");
        Report.Check(ready, "msi.delivery.receivers_ready", "an AP never reported ready to receive");
        Report.Check(arrived, "msi.delivery.reaches_target_cpu",
            "an MSI programmed to a CPU's APIC ID never arrived on that CPU");
        Report.Check(onlyTarget, "msi.delivery.only_target_cpu", "an MSI was taken by a CPU other than its destination");
        Report.Check(rightVector, "msi.delivery.vector", "the handler ran on a vector other than the one in the message data");
        Report.Check(once, "msi.delivery.once_per_raise", "one device raise produced more than one interrupt");
    }

    // =====================================================================
    // Masking
    // =====================================================================

    private static void Masking()
    {
        int bdf = Edu.Bdf, cap = Edu.MsiCap;
        uint bspId = Smp.ApicIdOf(0);

        // MSI enable clear: the function may not send the message (PCI 3.0 6.8.1.3). edu
        // then asserts INTx, which the Interrupt Disable bit keeps off the wire.
        ClearHits();
        Edu.ProgramMsi(bspId, VMask);
        Edu.DisableMsi();
        Report.Check(!Msi.IsEnabled(bdf, cap), "msi.mask.disable_readback", "MSI enable still reads 1 after clearing it");
        Edu.Raise(RaiseValue);
        Report.CheckEqual("msi.mask.device_raised_while_disabled", RaiseValue, Edu.Status & RaiseValue);
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("msi.mask.disabled_not_delivered", 0, (ulong)TotalHits());
        Edu.Acknowledge(RaiseValue);

        // Enabled again: the next raise is delivered.
        ClearHits();
        Edu.EnableMsi();
        Edu.Raise(RaiseValue);
        bool got = WaitHits(1);
        Report.Check(got && s_hits.Value[0] == 1 && s_vector.Value[0] == VMask, "msi.mask.reenabled_delivered",
            "after MSI enable was set again a raise was not delivered exactly once on the programmed vector");

        if (!Msi.HasPerVectorMasking(bdf, cap))
        {
            Report.Skip("msi.mask.per_vector", "the device's MSI capability offers no per-vector masking (Message Control bit 8 clear; edu has none)");
            Edu.DisableMsi();
            return;
        }
        // Per-vector mask (PCI 3.0 6.8.1.8-9): masked messages set the pending bit and
        // are sent when unmasked.
        ClearHits();
        Msi.WriteMask(bdf, cap, Vector0Bit);
        Edu.Raise(RaiseValue);
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("msi.mask.vector_masked_not_delivered", 0, (ulong)TotalHits());
        Report.CheckEqual("msi.mask.pending_bit_set", Vector0Bit, Msi.ReadPending(bdf, cap) & Vector0Bit);
        Msi.WriteMask(bdf, cap, 0);
        Report.Check(WaitHits(1) && s_hits.Value[0] == 1, "msi.mask.unmask_sends_pending", "the pending message was not sent when its vector was unmasked");
        Edu.DisableMsi();
    }

    // =====================================================================
    // Latency: device register write -> handler entry
    // =====================================================================

    private static void Latency()
    {
        int n = (int)CommandLine.GetInt("samples", DefaultSamples);
        if (n < 1 || n > MaxSamples)
        {
            Report.Check(false, "msi.latency.samples_valid", "samples must be 1..1000");
            return;
        }
        Tsc.MeasureOverhead(OverheadSamples, out ulong overheadMin, out ulong overheadMedian);
        Report.Metric("timer.overhead.min", (long)overheadMin, "cycles");
        Report.Metric("timer.overhead.median", (long)overheadMedian, "cycles");
        Report.Metric("msi.latency.samples", n, "count");

        LatencyOn(0, n, "msi.latency.bsp.all_delivered", "msi.latency.bsp.min", "msi.latency.bsp.median");
        if (Smp.CpuCount < 2)
        {
            Report.Skip("msi.latency.ap", "one CPU: no other CPU to send the MSI to");
            return;
        }
        // The AP stamps with its own TSC; KVM keeps vCPU TSCs synchronized.
        if (!ApReceivers.Start(1, LastAp, LatencyReceiverUs))
        {
            ApReceivers.Stop(1, LastAp);
            Report.Check(false, "msi.latency.ap.all_delivered", "the AP never reported ready to receive");
            return;
        }
        LatencyOn(1, n, "msi.latency.ap.all_delivered", "msi.latency.ap.min", "msi.latency.ap.median");
        ApReceivers.Stop(1, LastAp);
    }

    private static void LatencyOn(int cpu, int n, string deliveredName, string minName, string medianName)
    {
        Edu.ProgramMsi(Smp.ApicIdOf(cpu), VLatency);
        int got = 0;
        fixed (ulong* d = s_samples.Value)
        {
        s_latencyCount = 0;
        Cpu.EnableInterrupts();
        for (int i = 0; i < n; i++)
        {
            int before = s_latencyCount;
            ulong t0 = Cpu.TimerBegin();
            Edu.Raise(RaiseValue);
            ulong end = Tsc.Deadline(WaitUs);
            while (s_latencyCount == before && !Tsc.Passed(end)) Cpu.Pause();
            if (s_latencyCount == before) break;
            d[got++] = s_handlerTsc - t0;
        }
        Cpu.DisableInterrupts();
        Edu.DisableMsi();
        Report.CheckEqual(deliveredName, (ulong)n, (ulong)got);
        if (got == 0) return;
        Sort.Ascending(d, got);
        Report.Metric(minName, (long)d[0], "cycles");
        Report.Metric(medianName, (long)d[got / 2], "cycles");
        }
    }
}
