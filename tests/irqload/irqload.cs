using Kernel;

/// <summary>
/// A steady interrupt load on the BSP for a fixed guest time (kernel/lib/InterruptLoad.cs),
/// for the runner to count KVM exits around it: exits with and without PV-EOI, the
/// comparison the KVM PV-EOI patch published as a `perf stat -e kvm:*` table. The guest
/// checks that the load was what was asked: delivered = rate x time within a tolerance,
/// every IPI/MSI sent was delivered, and every EOI was accounted for.
///
/// Command line: source=timer|ipi|msi rate=N (interrupts/s) ms=N pveoi=on|off
/// apic=xapic|x2apic (default x2apic when offered) tolerance=N (percent, default 10)
/// sync=0|1 (rendezvous with the runner at `measure-begin` / `measure-end` around the load).
/// source=msi needs a PCI machine with `-device edu`; it SKIPs without one.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "irqload";

    private const int Vector = 0xD0;
    private const long DefaultRate = 1000, DefaultMs = 1000, DefaultTolerancePercent = 10;
    private const long MaxRate = 1_000_000, MaxMs = 600_000, MaxTolerancePercent = 100;
    private const long Percent = 100;
    private const ulong CyclesPerMicrosecondDivisor = 1_000_000;

    public static void Run()
    {
        int source = InterruptLoad.ParseSource("source");
        long rate = CommandLine.GetInt("rate", DefaultRate);
        long ms = CommandLine.GetInt("ms", DefaultMs);
        long tolerance = CommandLine.GetInt("tolerance", DefaultTolerancePercent);
        bool pvEoi = CommandLine.Is("pveoi", "on");
        if (source < 0 || rate < 1 || rate > MaxRate || ms < 1 || ms > MaxMs || tolerance < 0 || tolerance > MaxTolerancePercent
            || (CommandLine.Has("pveoi") && !pvEoi && !CommandLine.Is("pveoi", "off")))
        {
            Report.Check(false, "irqload.arguments",
                "need source=timer|ipi|msi rate=1..1000000 ms=1..600000 pveoi=on|off tolerance=0..100");
            return;
        }
        Report.Info("irqload.source", InterruptLoad.SourceName(source));
        Report.Info("irqload.pveoi", pvEoi ? "on" : "off");
        Report.Metric("irqload.rate", rate, "per_s");
        Report.Metric("irqload.ms", ms, "ms");
        Report.Metric("irqload.tolerance", tolerance, "percent");

        if (pvEoi)
        {
            if (!KvmPv.Present)
            {
                Report.Skip("irqload.pveoi", "not running under KVM (no KVMKVMKVM signature at CPUID 0x40000000): no PV-EOI");
                return;
            }
            if (!PvEoi.Supported)
            {
                Report.Skip("irqload.pveoi", "KVM does not offer PV-EOI (CPUID 0x40000001 EAX bit 6 clear; -cpu ...,kvm-pv-eoi=off?)");
                return;
            }
        }
        // Everything that can make the run a SKIP comes before the first check.
        if (source == InterruptLoad.SourceMsi && !Edu.Open())
        {
            if (Edu.Absent) Report.Skip("irqload.msi", Edu.Problem);
            else Report.Check(false, "irqload.msi", Edu.Problem);
            return;
        }

        ApicMode mode = Apic.X2ApicSupported ? ApicMode.X2Apic : ApicMode.XApic;
        if (CommandLine.Is("apic", "xapic")) mode = ApicMode.XApic;
        else if (CommandLine.Is("apic", "x2apic") && !Apic.X2ApicSupported)
        {
            Report.Skip("irqload.x2apic", "CPUID.1:ECX.x2APIC[bit 21] is clear: this virtual CPU has no x2APIC");
            return;
        }
        Report.Info("irqload.apic", mode == ApicMode.X2Apic ? "x2apic" : "xapic");
        Cpu.DisableInterrupts();
        if (!Report.Check(Apic.Init(mode), "irqload.apic_init", "could not put the APIC into the requested mode")) return;

        if (pvEoi && !Report.CheckEqual("irqload.pveoi.enable", unchecked((ulong)Cpu.NoFault), unchecked((ulong)PvEoi.Enable()))) return;

        if (!Report.SyncBaseline() || !Report.Sync("measure-begin")) return;
        bool ran = InterruptLoad.Run(source, (ulong)rate, (ulong)ms, Vector);
        if (!Report.Sync("measure-end")) return;
        if (pvEoi) PvEoi.Disable();
        if (!ran)
        {
            if (InterruptLoad.SourceAbsent) Report.Skip("irqload.run", InterruptLoad.Problem);
            else Report.Check(false, "irqload.run", InterruptLoad.Problem);
            return;
        }

        long delivered = InterruptLoad.Delivered, expected = InterruptLoad.Expected;
        Report.Metric("irqload.delivered", delivered, "count");
        Report.Metric("irqload.expected", expected, "count");
        Report.Metric("irqload.drained", InterruptLoad.Drained, "count");
        Report.Metric("irqload.eoi_written", InterruptLoad.EoiWritten, "count");
        Report.Metric("irqload.eoi_skipped", InterruptLoad.EoiSkipped, "count");
        Report.Metric("irqload.elapsed_us", (long)(InterruptLoad.ElapsedCycles / (Tsc.Hz / CyclesPerMicrosecondDivisor)), "us");
        Report.Metric("irqload.period_cycles", (long)InterruptLoad.PeriodCycles, "cycles");
        if (source == InterruptLoad.SourceTimer)
        {
            Report.Metric("irqload.apic_timer_hz", (long)InterruptLoad.TimerHz, "hz");
            Report.Metric("irqload.apic_timer_initial_count", InterruptLoad.TimerInitialCount, "count");
        }
        else Report.Metric("irqload.sent", InterruptLoad.Sent, "count");

        // Expiries (or sends) while the host did not run the vCPU merge: the lower bound
        // counts only the periods the vCPU ran, as the host's steal time reports them.
        long whileRunning = InterruptLoad.ExpectedWhileRunning;
        if (InterruptLoad.StealTimeKnown)
        {
            Report.Metric("irqload.stolen_us", (long)(InterruptLoad.StolenCycles / (Tsc.Hz / CyclesPerMicrosecondDivisor)), "us");
            Report.Metric("irqload.expected_while_running", whileRunning, "count");
        }
        Report.CheckRange("irqload.delivered_within_tolerance", delivered,
            whileRunning * (Percent - tolerance) / Percent, expected * (Percent + tolerance) / Percent);
        if (source != InterruptLoad.SourceTimer)
            Report.CheckEqual("irqload.every_send_delivered", (ulong)InterruptLoad.Sent, (ulong)(delivered + InterruptLoad.Drained));
        Report.CheckEqual("irqload.eoi_accounting", (ulong)(delivered + InterruptLoad.Drained),
            (ulong)(InterruptLoad.EoiWritten + InterruptLoad.EoiSkipped));
        if (pvEoi) Report.Metric("irqload.pveoi.stray_bits", PvEoi.StrayBits, "count");
    }
}
