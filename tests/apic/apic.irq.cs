using Kernel;

/// <summary>Interrupt delivery on the BSP: handlers, their event log, self-IPIs, IRR/ISR order.</summary>
internal static unsafe partial class TestKernel
{
    private static void Sink(InterruptFrame* frame) => Apic.Eoi();

    private static void InstallHandlers()
    {
        Idt.Set(VSelf, &Record);
        Idt.Set(VLow, &Record);
        Idt.Set(VLowSameClassLow, &Record);
        Idt.Set(VLowSameClassHigh, &Record);
        Idt.Set(VTprClass6, &Record);
        Idt.Set(VMid, &Record);
        Idt.Set(VHigh, &Record);
        Idt.Set(VSink, &Sink);
        Idt.Set(VPprProbe, &OnPprProbe);
        Idt.Set(VNestOuter, &OnNestOuter);
        Idt.Set(VNestInner, &OnNestInner);
        Idt.Set(VNestLate, &OnNestLate);
        Idt.Set(VTimer, &OnTimer);
        Idt.Set(VCross, &OnCross);
        Idt.Set(VWake, &Sink);
        Idt.Set(VParkTimer, &Sink);
        Idt.Set(Exceptions.NMI, &OnNmi);
    }

    /// <summary>Logs vector, TSC, PPR and the vector's ISR/IRR/TMR bits as seen inside the handler, then EOIs.</summary>
    private static void Record(InterruptFrame* frame)
    {
        ulong tsc = Cpu.Rdtsc();
        int v = (int)frame->Vector;
        int i = s_logCount;
        if (i < LogSize)
        {
            s_log.Vector[i] = v;
            s_log.Tsc[i] = tsc;
            s_log.Ppr[i] = Apic.Ppr;
            s_log.InService[i] = Apic.IsInService(v) ? 1 : 0;
            s_log.Requested[i] = Apic.IsRequested(v) ? 1 : 0;
            s_log.Level[i] = Apic.IsLevelTriggered(v) ? 1 : 0;
        }
        s_logCount = i + 1;
        Apic.Eoi();
    }

    private static void ResetLog() => s_logCount = 0;

    /// <summary>Opens interrupts until the log holds <paramref name="n"/> entries or the wait expires.</summary>
    private static bool WaitLog(int n)
    {
        fixed (int* count = &s_logCount) return InterruptWindow.WaitCount(count, n, WaitUs, true);
    }

    private static void SelfIpi()
    {
        Cpu.DisableInterrupts();
        ResetLog();
        Report.Check(Apic.SelfIpi(VSelf), "apic.ipi.self_icr_idle", "ICR delivery status stayed send-pending");
        if (Report.Check(WaitLog(1), "apic.ipi.self_delivered", "the self-IPI never arrived"))
        {
            Report.CheckEqual("apic.ipi.self_vector", VSelf, (ulong)s_log.Vector[0]);
            Report.Check(s_log.InService[0] == 1, "apic.irq.isr_set_in_handler", "ISR bit of the vector being handled is clear");
            Report.Check(s_log.Requested[0] == 0, "apic.irq.irr_clear_in_handler", "IRR bit of the vector being handled is still set");
            Report.Check(s_log.Level[0] == 0, "apic.irq.tmr_clear_for_edge", "TMR bit set for an edge-triggered IPI");
            Report.CheckEqual("apic.irq.ppr_is_isrv_class_in_handler", VSelf & ApicRegisters.PriorityClassMask, s_log.Ppr[0]);
        }
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("apic.ipi.self_once", 1, (ulong)s_logCount);
        Report.Check(!Apic.IsInService(VSelf), "apic.irq.isr_clear_after_eoi", "ISR bit still set after EOI");
        Report.CheckEqual("apic.irq.isr_empty", unchecked((ulong)-1), (ulong)Apic.HighestInService());

        // The same with the destination being this APIC's own ID (no shorthand).
        ResetLog();
        Apic.SendFixed(Apic.Id, VMid);
        Report.Check(WaitLog(1) && s_log.Vector[0] == VMid, "apic.ipi.self_by_id", "a fixed IPI to this APIC's own ID never arrived");

        // ICR shorthand "self" (the x2APIC case: the xAPIC SelfIpi already used it).
        if (s_mode == ApicMode.X2Apic)
        {
            ResetLog();
            Apic.SendIpi(0, VMid, ApicRegisters.IcrFixed, ApicRegisters.IcrPhysical, ApicRegisters.IcrSelf);
            Report.Check(WaitLog(1) && s_log.Vector[0] == VMid, "apic.ipi.self_shorthand", "an ICR self-shorthand IPI never arrived");
        }
        Report.CheckEqual("apic.ipi.esr_clear_after_ipis", 0, Apic.ReadErrors());
    }

    private static void PendingAndPriority()
    {
        Cpu.DisableInterrupts();
        ResetLog();
        Apic.SelfIpi(VLow);
        Apic.SelfIpi(VHigh);
        Report.Check(Apic.IsRequested(VLow) && Apic.IsRequested(VHigh), "apic.irq.pending_in_irr_while_if_clear",
            "self-IPIs sent with IF=0 are not both in IRR");
        Report.CheckEqual("apic.irq.highest_requested", VHigh, (ulong)Apic.HighestRequested());
        Report.CheckEqual("apic.irq.not_delivered_while_if_clear", 0, (ulong)s_logCount);
        if (Report.Check(WaitLog(2), "apic.irq.pending_delivered_on_sti", "the two pending IPIs were not both delivered"))
        {
            Report.CheckEqual("apic.irq.priority.higher_class_first", VHigh, (ulong)s_log.Vector[0]);
            Report.CheckEqual("apic.irq.priority.lower_class_second", VLow, (ulong)s_log.Vector[1]);
        }

        ResetLog();
        Apic.SelfIpi(VLowSameClassLow);
        Apic.SelfIpi(VLowSameClassHigh);
        if (Report.Check(WaitLog(2), "apic.irq.same_class_delivered", "two pending IPIs of one class were not both delivered"))
        {
            Report.CheckEqual("apic.irq.priority.same_class_higher_vector_first", VLowSameClassHigh, (ulong)s_log.Vector[0]);
            Report.CheckEqual("apic.irq.priority.same_class_lower_vector_second", VLowSameClassLow, (ulong)s_log.Vector[1]);
        }
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("apic.irq.no_extra_deliveries", 2, (ulong)s_logCount);
    }
}
