using Kernel;

/// <summary>
/// KVM paravirtual end of interrupt (Documentation/virt/kvm/x86/msr.rst,
/// MSR_KVM_PV_EOI_EN; the design of KVM's apic_sync_pv_eoi_to_guest/_from_guest):
/// the MSR takes a 4-byte-aligned guest word and reads back; with it enabled,
/// interrupts keep flowing while every handler ends through PvEoi.Eoi(); the host sets
/// the word's bit when one interrupt is in service and nothing else is pending, so
/// that EOI can skip the APIC write (counted: must happen); a higher-priority interrupt
/// nested inside a handler is delivered and both complete, and the outer one's bit is
/// clear so its EOI reaches the APIC (the host must see that EOI); an AP uses its own
/// word; with the MSR cleared the bit is never set again and EOIs are plain.
/// SKIPs when not under KVM or when KVM does not offer PV-EOI (kvm-pv-eoi=off, TCG).
/// Command line: apic=xapic|x2apic (default x2apic when offered), count=N.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "pveoi";

    // ---- vectors (class = vector >> 4) ----
    private const int VFlow = 0x41;
    private const int VTimer = 0xE0;
    private const int VOuter = 0x50, VInner = 0x90;
    private const int VAfterLow = 0x31;
    private const int VAp = 0x42;

    private const int DefaultCount = 200, MaxCount = 100_000;
    private const ulong WaitUs = 1_000_000;        // one interrupt that must arrive
    private const ulong QuietUs = 20_000;
    // 10 ms apart: slow enough that no tick finds the previous one still pending (merged).
    private const ulong TimerRate = 100, TimerMs = 500;
    private const long TimerTolerancePercent = 10, Percent = 100;

    // ---- what the handlers saw ----
    private static int s_flowCount;
    /// <summary>Handlers that found the PV-EOI bit set on entry (before their own EOI).</summary>
    private static int s_bitAtEntry;
    /// <summary>Flow handlers that found their own vector's ISR bit set (SDM 11.8.4); KVM keys PV-EOI on its ISR.</summary>
    private static int s_isrAtEntry;

    private struct NestState
    {
        public int OuterCount, InnerCount, InnerSeenInside;
        public int OuterBitAtEntry, InnerBitAtEntry;
        public int OuterSkipped, InnerSkipped;
        public int AfterCount;
    }
    private static NestState s_nest;

    private struct ApState
    {
        public int EnableFault, Delivered, Skipped, Written, DisableFault, InitOk;
        public ulong MsrValue, Expected, MsrAfterDisable;
    }
    private static ApState s_ap;

    private static int s_count;

    public static void Run()
    {
        if (!KvmPv.Present)
        {
            Report.Skip("pveoi", "not running under KVM: CPUID 0x40000000 has no KVMKVMKVM signature (TCG or another hypervisor), so no PV-EOI");
            return;
        }
        Report.InfoHex("pveoi.kvm_features", KvmPv.Features);
        Report.Metric("pveoi.cpuid.pv_eoi", PvEoi.Supported ? 1 : 0, "bool");
        if (!PvEoi.Supported)
        {
            Report.Skip("pveoi", "KVM does not offer PV-EOI: CPUID 0x40000001 EAX bit 6 (KVM_FEATURE_PV_EOI) is clear (e.g. -cpu ...,kvm-pv-eoi=off)");
            return;
        }
        s_count = (int)CommandLine.GetInt("count", DefaultCount);
        if (s_count < 1 || s_count > MaxCount)
        {
            Report.Check(false, "pveoi.arguments", "count must be 1..100000");
            return;
        }
        ApicMode mode = Apic.X2ApicSupported ? ApicMode.X2Apic : ApicMode.XApic;
        if (CommandLine.Is("apic", "xapic")) mode = ApicMode.XApic;
        Report.Info("pveoi.apic", mode == ApicMode.X2Apic ? "x2apic" : "xapic");
        Cpu.DisableInterrupts();
        if (!Report.Check(Apic.Init(mode), "pveoi.apic_init", "could not put the APIC into the requested mode")) return;
        Idt.Set(VFlow, &OnFlow);
        Idt.Set(VOuter, &OnOuter);
        Idt.Set(VInner, &OnInner);
        Idt.Set(VAfterLow, &OnAfter);
        PvEoi.ResetAllCounters();

        if (!Msr()) return;
        long skippedBefore = PvEoi.Skipped;
        FlowSelfIpis();
        FlowTimer();
        long skipped = PvEoi.Skipped - skippedBefore;
        Report.Metric("pveoi.host_set_bit_count", skipped, "count");
        Report.Check(skipped > 0, "pveoi.host_sets_bit",
            "the host never set the PV-EOI bit at EOI time over every single, unnested interrupt above (each was the only one in service with nothing pending: KVM may, and does, set it then)");
        Nested();
        Report.Metric("pveoi.eoi_skipped", PvEoi.Skipped, "count");
        Report.Metric("pveoi.eoi_written", PvEoi.Written, "count");
        Ap();
        Disabled();
        Report.Metric("pveoi.spurious_interrupts", Apic.SpuriousCount, "count");
    }

    // =====================================================================
    // The MSR
    // =====================================================================

    private static bool Msr()
    {
        ulong* word = PvEoi.WordOf(0);
        Report.Check(((ulong)word & (PvEoi.AddressAlignment - 1)) == 0, "pveoi.word_aligned", "the per-CPU word is not 4-byte aligned");
        if (!Report.CheckEqual("pveoi.msr.enable", unchecked((ulong)Cpu.NoFault), unchecked((ulong)PvEoi.Enable()))) return false;
        Report.CheckEqual("pveoi.msr.readback", (ulong)word | PvEoi.MsrEnabled, ReadMsrOrFault());
        // Bit 1 is reserved (the address is 4-byte aligned): KVM refuses it with #GP.
        Report.CheckEqual("pveoi.msr.misaligned_gp", Exceptions.GP,
            (ulong)(uint)Cpu.WriteMsrSafe(PvEoi.Msr, (ulong)word | PvEoi.MsrReservedBit1 | PvEoi.MsrEnabled));
        Report.CheckEqual("pveoi.msr.kept_after_gp", (ulong)word | PvEoi.MsrEnabled, ReadMsrOrFault());
        return true;
    }

    /// <summary>The MSR's value, or all ones when RDMSR faulted.</summary>
    private static ulong ReadMsrOrFault() => PvEoi.ReadMsr(out ulong value) == Cpu.NoFault ? value : ulong.MaxValue;

    // =====================================================================
    // Interrupts keep flowing with PV-EOI on
    // =====================================================================

    private static void OnFlow(InterruptFrame* frame)
    {
        if ((*PvEoi.WordOf(Smp.CurrentCpu) & PvEoi.PendingMask) != 0) s_bitAtEntry++;
        if (Apic.IsInService(VFlow)) s_isrAtEntry++;
        s_flowCount++;
        PvEoi.Eoi();
    }

    /// <summary>
    /// <paramref name="n"/> self-IPIs on <paramref name="vector"/>, each sent with IF=1
    /// after the previous one was handled; returns how many were delivered. Leaves IF clear.
    /// </summary>
    private static int SelfIpis(int vector, int n, int* counter)
    {
        int got = 0;
        Cpu.EnableInterrupts();
        for (int i = 0; i < n; i++)
        {
            int before = *counter;
            Apic.SelfIpi(vector);
            ulong end = Tsc.Deadline(WaitUs);
            while (*counter == before && !Tsc.Passed(end)) Cpu.Pause();
            if (*counter == before) break;
            got++;
        }
        Cpu.DisableInterrupts();
        return got;
    }

    private static void FlowSelfIpis()
    {
        s_flowCount = 0;
        s_bitAtEntry = 0;
        s_isrAtEntry = 0;
        long skipped0 = PvEoi.Skipped, written0 = PvEoi.Written;
        int got;
        fixed (int* count = &s_flowCount) got = SelfIpis(VFlow, s_count, count);
        Report.CheckEqual("pveoi.flow.self_ipis_delivered", (ulong)s_count, (ulong)got);
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("pveoi.flow.self_ipis_once_each", (ulong)got, (ulong)s_flowCount);
        long skipped = PvEoi.Skipped - skipped0, written = PvEoi.Written - written0;
        Report.CheckEqual("pveoi.flow.every_eoi_accounted", (ulong)s_flowCount, (ulong)(skipped + written));
        Report.Metric("pveoi.flow.self_ipi.eoi_skipped", skipped, "count");
        Report.Metric("pveoi.flow.self_ipi.eoi_written", written, "count");
        Report.Metric("pveoi.flow.self_ipi.bit_set_at_entry", s_bitAtEntry, "count");
        // Diagnosis for a host that never sets the bit: KVM sets it only for a vector its
        // ISR model holds (highest_isr_cache); a host whose ISR reads 0 here cannot.
        Report.Metric("pveoi.flow.self_ipi.isr_set_in_handler", s_isrAtEntry, "count");
        Report.CheckEqual("pveoi.flow.apic_idle_after", unchecked((ulong)-1), (ulong)Apic.HighestRequested());
    }

    private static void FlowTimer()
    {
        if (!InterruptLoad.Run(InterruptLoad.SourceTimer, TimerRate, TimerMs, VTimer))
        {
            Report.Check(false, "pveoi.flow.timer", InterruptLoad.Problem);
            return;
        }
        long delivered = InterruptLoad.Delivered;
        Report.Check(InterruptLoad.UsedPvEoi, "pveoi.flow.timer_used_pv_eoi", "the load's handler did not take the PV-EOI path");
        CheckTicks("pveoi.flow.timer_ticks_delivered");
        Report.CheckEqual("pveoi.flow.timer_every_eoi_accounted", (ulong)(delivered + InterruptLoad.Drained),
            (ulong)(InterruptLoad.EoiSkipped + InterruptLoad.EoiWritten));
        Report.Metric("pveoi.flow.timer.delivered", delivered, "count");
        Report.Metric("pveoi.flow.timer.eoi_skipped", InterruptLoad.EoiSkipped, "count");
        Report.Metric("pveoi.flow.timer.eoi_written", InterruptLoad.EoiWritten, "count");
    }

    /// <summary>
    /// The load's timer ticks: within the tolerance of rate x time above, and of the periods
    /// the vCPU ran below (expiries while the host ran something else merge; steal time).
    /// </summary>
    private static void CheckTicks(string name)
    {
        long expected = InterruptLoad.Expected, whileRunning = InterruptLoad.ExpectedWhileRunning;
        Report.CheckRange(name, InterruptLoad.Delivered,
            whileRunning * (Percent - TimerTolerancePercent) / Percent, expected * (Percent + TimerTolerancePercent) / Percent);
    }

    // =====================================================================
    // Nested: a higher-priority interrupt inside a handler
    // =====================================================================

    private static void OnOuter(InterruptFrame* frame)
    {
        ulong* word = PvEoi.WordOf(Smp.CurrentCpu);
        s_nest.OuterBitAtEntry = (*word & PvEoi.PendingMask) != 0 ? 1 : 0;
        // Open interrupts and raise a higher class: it must preempt this handler.
        Cpu.EnableInterrupts();
        Apic.SelfIpi(VInner);
        ulong end = Tsc.Deadline(WaitUs);
        fixed (int* inner = &s_nest.InnerCount)
            while (*inner == 0 && !Tsc.Passed(end)) Cpu.Pause();
        Cpu.DisableInterrupts();
        s_nest.InnerSeenInside = s_nest.InnerCount;
        // Two vectors were in service: per the KVM design the host clears the bit when
        // it injects the inner one and sets it for the inner only, so the outer's EOI
        // must go to the APIC.
        s_nest.OuterSkipped = PvEoi.Eoi() ? 1 : 0;
        s_nest.OuterCount++;
    }

    private static void OnInner(InterruptFrame* frame)
    {
        s_nest.InnerBitAtEntry = (*PvEoi.WordOf(Smp.CurrentCpu) & PvEoi.PendingMask) != 0 ? 1 : 0;
        s_nest.InnerSkipped = PvEoi.Eoi() ? 1 : 0;
        s_nest.InnerCount++;
    }

    private static void OnAfter(InterruptFrame* frame)
    {
        s_nest.AfterCount++;
        PvEoi.Eoi();
    }

    private static void Nested()
    {
        Cpu.DisableInterrupts();
        s_nest.OuterCount = s_nest.InnerCount = s_nest.InnerSeenInside = 0;
        s_nest.OuterBitAtEntry = s_nest.InnerBitAtEntry = s_nest.OuterSkipped = s_nest.InnerSkipped = 0;
        s_nest.AfterCount = 0;
        int outerDone;
        fixed (int* outer = &s_nest.OuterCount) outerDone = SelfIpis(VOuter, 1, outer);
        InterruptWindow.Open(QuietUs);
        Report.Check(outerDone == 1 && s_nest.OuterCount == 1, "pveoi.nested.outer_completed", "the outer interrupt's handler never completed");
        Report.Check(s_nest.InnerSeenInside == 1, "pveoi.nested.inner_delivered_inside",
            "a higher-class self-IPI sent with IF=1 inside the outer handler was not delivered there");
        Report.CheckEqual("pveoi.nested.inner_completed_once", 1, (ulong)s_nest.InnerCount);
        Report.Check(s_nest.OuterSkipped == 0, "pveoi.nested.outer_eoi_reaches_apic",
            "the PV-EOI bit was set at the outer handler's EOI although a nested interrupt had been in service: the host would never see that EOI");
        Report.Metric("pveoi.nested.outer_bit_at_entry", s_nest.OuterBitAtEntry, "bool");
        Report.Metric("pveoi.nested.inner_bit_at_entry", s_nest.InnerBitAtEntry, "bool");
        Report.Metric("pveoi.nested.inner_eoi_skipped", s_nest.InnerSkipped, "bool");

        // Both EOIs were seen: nothing stays in service, so a lower class and the outer
        // vector itself are delivered again.
        int after;
        fixed (int* count = &s_nest.AfterCount) after = SelfIpis(VAfterLow, 1, count);
        Report.CheckEqual("pveoi.nested.lower_class_delivered_after", 1, (ulong)after);
        // The outer handler waits for InnerCount to leave 0: a count left at 1 from the first
        // round would let it stop waiting before the inner IPI arrived, and a prompt host
        // (one that delivers the inner IPI at once) would then count it as 2.
        s_nest.InnerSeenInside = s_nest.InnerCount = 0;
        fixed (int* outer = &s_nest.OuterCount) outerDone = SelfIpis(VOuter, 1, outer);
        InterruptWindow.Open(QuietUs);
        Report.Check(outerDone == 1 && s_nest.InnerSeenInside == 1, "pveoi.nested.repeat_delivered",
            "the outer vector (with its nested inner one) was not delivered again after both EOIs");
        Report.CheckEqual("pveoi.nested.apic_idle_after", unchecked((ulong)-1), (ulong)Apic.HighestRequested());
    }

    // =====================================================================
    // An AP with its own word
    // =====================================================================

    private static void OnAp(InterruptFrame* frame)
    {
        s_ap.Delivered++;
        PvEoi.Eoi();
    }

    private static void ApRun(void* arg)
    {
        int me = Smp.CurrentCpu;
        s_ap.InitOk = Apic.InitThisCpu() ? 1 : 0;
        if (s_ap.InitOk == 0) return;
        PvEoi.ResetCounters();
        s_ap.Expected = PvEoi.EnableValue;
        s_ap.EnableFault = PvEoi.Enable();
        s_ap.MsrValue = ReadMsrOrFault();
        s_ap.Delivered = 0;
        fixed (int* count = &s_ap.Delivered) SelfIpis(VAp, s_count, count);
        s_ap.Skipped = PvEoi.SkippedOn(me);
        s_ap.Written = PvEoi.WrittenOn(me);
        s_ap.DisableFault = PvEoi.Disable();
        s_ap.MsrAfterDisable = ReadMsrOrFault();
    }

    private static void Ap()
    {
        if (Smp.CpuCount < 2)
        {
            Report.Skip("pveoi.ap", "one CPU: no AP to give its own PV-EOI word");
            return;
        }
        Idt.Set(VAp, &OnAp);
        bool ran = Smp.OnCpu(1, &ApRun, null);
        if (!Report.Check(ran && s_ap.InitOk == 1, "pveoi.ap.ran", "the AP did not run its PV-EOI part or could not set up its APIC")) return;
        Report.CheckEqual("pveoi.ap.msr_enable", unchecked((ulong)Cpu.NoFault), unchecked((ulong)s_ap.EnableFault));
        Report.CheckEqual("pveoi.ap.msr_readback_own_word", (ulong)PvEoi.WordOf(1) | PvEoi.MsrEnabled, s_ap.MsrValue);
        Report.Check(s_ap.Expected == s_ap.MsrValue && s_ap.MsrValue != ((ulong)PvEoi.WordOf(0) | PvEoi.MsrEnabled),
            "pveoi.ap.word_distinct_from_bsp", "the AP registered the BSP's word");
        Report.CheckEqual("pveoi.ap.self_ipis_delivered", (ulong)s_count, (ulong)s_ap.Delivered);
        Report.CheckEqual("pveoi.ap.every_eoi_accounted", (ulong)s_ap.Delivered, (ulong)(s_ap.Skipped + s_ap.Written));
        Report.CheckEqual("pveoi.ap.msr_disable", unchecked((ulong)Cpu.NoFault), unchecked((ulong)s_ap.DisableFault));
        Report.CheckEqual("pveoi.ap.msr_zero_after_disable", 0, s_ap.MsrAfterDisable);
        Report.Metric("pveoi.ap.eoi_skipped", s_ap.Skipped, "count");
        Report.Metric("pveoi.ap.eoi_written", s_ap.Written, "count");
    }

    // =====================================================================
    // Disabled again: plain EOIs, the bit never set
    // =====================================================================

    private static void Disabled()
    {
        Cpu.DisableInterrupts();
        Report.CheckEqual("pveoi.disable.msr_write", unchecked((ulong)Cpu.NoFault), unchecked((ulong)PvEoi.Disable()));
        Report.CheckEqual("pveoi.disable.msr_reads_zero", 0, ReadMsrOrFault());
        // The word is the guest's again: clear it, then the host must never set its bit.
        int cpu = Smp.CurrentCpu;
        ulong* word = PvEoi.WordOf(cpu);
        *word = 0;
        // This CPU's counts only: the AP's handler may still end an interrupt while this
        // phase runs, and its EOI is none of this phase's business.
        long skipped0 = PvEoi.SkippedOn(cpu), written0 = PvEoi.WrittenOn(cpu), stray0 = PvEoi.StrayBitsOn(cpu);
        long othersWritten0 = PvEoi.Written - written0;
        s_flowCount = 0;
        s_bitAtEntry = 0;
        int got;
        fixed (int* count = &s_flowCount) got = SelfIpis(VFlow, s_count, count);
        Report.CheckEqual("pveoi.disable.self_ipis_delivered", (ulong)s_count, (ulong)got);
        bool timerOk = InterruptLoad.Run(InterruptLoad.SourceTimer, TimerRate, TimerMs, VTimer);
        if (timerOk)
        {
            Report.Check(!InterruptLoad.UsedPvEoi, "pveoi.disable.timer_plain_eoi", "the load's handler still took the PV-EOI path");
            CheckTicks("pveoi.disable.timer_ticks_delivered");
        }
        else Report.Check(false, "pveoi.disable.timer", InterruptLoad.Problem);
        Report.CheckEqual("pveoi.disable.bit_never_set", 0, (ulong)(s_bitAtEntry + (PvEoi.StrayBitsOn(cpu) - stray0) + (long)(*word & PvEoi.PendingMask)));
        Report.CheckEqual("pveoi.disable.no_eoi_skipped", 0, (ulong)(PvEoi.SkippedOn(cpu) - skipped0));
        Report.CheckEqual("pveoi.disable.every_eoi_written", (ulong)got, (ulong)(PvEoi.WrittenOn(cpu) - written0));
        Report.Metric("pveoi.disable.other_cpus_eoi_written", PvEoi.Written - PvEoi.WrittenOn(cpu) - othersWritten0, "count");
    }
}
