using Kernel;

/// <summary>Priority: TPR masking and how PPR follows TPR and the in-service class (SDM 11.8.3.1).</summary>
internal static unsafe partial class TestKernel
{
    private static void TprMasking()
    {
        Cpu.DisableInterrupts();
        ResetLog();
        Apic.Tpr = TprClass6;
        Report.CheckEqual("ppr_follows_tpr", TprClass6, Apic.Ppr);
        Apic.SelfIpi(VLow);
        Apic.SelfIpi(VTprClass6);
        InterruptWindow.Open(QuietUs);
        // Only a class above PPR's class is delivered (SDM 11.8.3.1): 5 and 6 wait.
        Report.CheckEqual("blocks_lower_and_equal_class", 0, (ulong)s_logCount);
        Report.Check(Apic.IsRequested(VLow) && Apic.IsRequested(VTprClass6), "blocked_stay_in_irr",
            "a vector blocked by TPR is not in IRR");
        Apic.SelfIpi(VMid);
        Report.Check(WaitLog(1) && s_log.Vector[0] == VMid, "higher_class_passes", "class 7 was not delivered above TPR class 6");
        Apic.Tpr = 0;
        if (Report.Check(WaitLog(3), "lowering_delivers_pending", "lowering TPR did not deliver both pending vectors"))
        {
            Report.CheckEqual("pending_order_first", VTprClass6, (ulong)s_log.Vector[1]);
            Report.CheckEqual("pending_order_second", VLow, (ulong)s_log.Vector[2]);
        }
        Report.CheckEqual("ppr_back_to_zero", 0, Apic.Ppr);
    }

    /// <summary>In service at 0x80, moves TPR around and samples PPR (SDM 11.8.3.1).</summary>
    private static void OnPprProbe(InterruptFrame* frame)
    {
        s_ppr.Idle = Apic.Ppr;
        Apic.Tpr = TprAboveProbe;
        s_ppr.TprAbove = Apic.Ppr;
        Apic.Tpr = TprSameClassAsProbe;
        s_ppr.TprSame = Apic.Ppr;
        Apic.Tpr = TprBelowProbe;
        s_ppr.TprBelow = Apic.Ppr;
        Apic.Tpr = 0;
        s_ppr.Count++;
        Apic.Eoi();
    }

    private static void PprProbe()
    {
        Cpu.DisableInterrupts();
        s_ppr.Count = 0;
        Apic.SelfIpi(VPprProbe);
        fixed (int* count = &s_ppr.Count)
        {
            if (!Report.Check(InterruptWindow.WaitCount(count, 1, WaitUs, true), "probe_delivered", "the PPR probe IPI never arrived")) return;
        }
        const uint isrvClass = VPprProbe & ApicRegisters.PriorityClassMask;
        Report.CheckEqual("isrv_class_when_tpr_zero", isrvClass, s_ppr.Idle);
        Report.CheckEqual("tpr_above_isrv", TprAboveProbe, s_ppr.TprAbove);
        Report.CheckEqual("tpr_same_class_as_isrv", TprSameClassAsProbe, s_ppr.TprSame);
        Report.CheckEqual("isrv_above_tpr", isrvClass, s_ppr.TprBelow);
    }
}
