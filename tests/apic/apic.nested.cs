using Kernel;

/// <summary>Nested interrupts: a higher class interrupts a handler, a lower class waits for its EOI.</summary>
internal static unsafe partial class TestKernel
{
    private static void OnNestOuter(InterruptFrame* frame)
    {
        s_nest.OuterInService = Apic.IsInService(VNestOuter) ? 1 : 0;
        Apic.SelfIpi(VNestInner);
        Apic.SelfIpi(VNestLate);
        fixed (int* inner = &s_nest.InnerCount) InterruptWindow.WaitCount(inner, 1, WaitUs, true);
        // Give the lower vector the same chance to (wrongly) get in.
        InterruptWindow.Open(QuietUs);
        s_nest.InnerSeenInside = s_nest.InnerCount;
        s_nest.LateSeenInside = s_nest.LateCount;
        s_nest.LateInIrr = Apic.IsRequested(VNestLate) ? 1 : 0;
        s_nest.OuterInServiceAfterInner = Apic.IsInService(VNestOuter) ? 1 : 0;
        Apic.Eoi();
        s_nest.OuterInServiceAfterEoi = Apic.IsInService(VNestOuter) ? 1 : 0;
        s_nest.OuterCount++;
    }

    private static void OnNestInner(InterruptFrame* frame)
    {
        s_nest.InnerBothInService = Apic.IsInService(VNestInner) && Apic.IsInService(VNestOuter) ? 1 : 0;
        s_nest.InnerPpr = Apic.Ppr;
        Apic.Eoi();
        s_nest.InnerInServiceAfterEoi = Apic.IsInService(VNestInner) ? 1 : 0;
        s_nest.OuterStillInService = Apic.IsInService(VNestOuter) ? 1 : 0;
        s_nest.InnerCount++;
    }

    private static void OnNestLate(InterruptFrame* frame)
    {
        s_nest.LateAfterOuter = s_nest.OuterCount;
        s_nest.LateCount++;
        Apic.Eoi();
    }

    private static void ResetNest()
    {
        s_nest.OuterInService = s_nest.InnerSeenInside = s_nest.LateSeenInside = s_nest.LateInIrr = 0;
        s_nest.OuterInServiceAfterInner = s_nest.OuterInServiceAfterEoi = 0;
        s_nest.InnerBothInService = s_nest.InnerInServiceAfterEoi = s_nest.OuterStillInService = s_nest.LateAfterOuter = 0;
        s_nest.InnerPpr = 0;
        s_nest.OuterCount = s_nest.InnerCount = s_nest.LateCount = 0;
    }

    private static void Nested()
    {
        Cpu.DisableInterrupts();
        ResetNest();
        Apic.SelfIpi(VNestOuter);
        bool done;
        fixed (int* late = &s_nest.LateCount) done = InterruptWindow.WaitCount(late, 1, WaitUs, true);
        Report.Check(s_nest.OuterCount == 1, "outer_delivered", "the outer IPI never completed");
        Report.Check(s_nest.OuterInService == 1, "outer_in_service", "ISR bit of the outer vector clear in its handler");
        Report.Check(s_nest.InnerSeenInside == 1, "higher_preempts_handler",
            "a higher-class IPI was not delivered inside a lower-class handler with IF=1");
        Report.Check(s_nest.InnerBothInService == 1, "both_in_service", "inner handler did not see both ISR bits set");
        Report.CheckEqual("ppr_is_inner_class", VNestInner & ApicRegisters.PriorityClassMask, s_nest.InnerPpr);
        Report.Check(s_nest.InnerInServiceAfterEoi == 0 && s_nest.OuterStillInService == 1, "eoi_clears_highest_only",
            "EOI in the inner handler did not clear exactly the highest ISR bit");
        Report.Check(s_nest.OuterInServiceAfterInner == 1 && s_nest.OuterInServiceAfterEoi == 0, "outer_eoi_clears_outer",
            "the outer ISR bit was not set until, and clear after, the outer EOI");
        Report.Check(s_nest.LateSeenInside == 0 && s_nest.LateInIrr == 1, "lower_blocked_while_in_service",
            "a lower-class IPI got in (or left IRR) while a higher vector was in service");
        Report.Check(done && s_nest.LateAfterOuter == 1, "lower_delivered_after_eoi",
            "the lower-class IPI was not delivered after the outer handler's EOI");
        Report.CheckEqual("isr_empty_after", unchecked((ulong)-1), (ulong)Apic.HighestInService());
    }
}
