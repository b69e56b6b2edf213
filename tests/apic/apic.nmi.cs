using Kernel;

/// <summary>NMI by ICR to this APIC's own ID.</summary>
internal static unsafe partial class TestKernel
{
    private static void OnNmi(InterruptFrame* frame)
    {
        fixed (int* hits = s_nmiHits.Value) Atomic.FetchAdd(hits + Smp.CurrentCpu, 1);
        fixed (int* total = &s_nmiCount) Atomic.FetchAdd(total, 1);
    }

    private static void Nmi()
    {
        Cpu.DisableInterrupts();
        s_nmiCount = 0;
        // ICR NMI to this APIC's own ID: valid per SDM table 11-3 (no shorthand, edge). IF=0 does not block NMI.
        Apic.SendIpi(Apic.Id, 0, ApicRegisters.IcrNmi, ApicRegisters.IcrPhysical, ApicRegisters.IcrNoShorthand);
        bool got;
        fixed (int* total = &s_nmiCount) got = InterruptWindow.WaitCount(total, 1, WaitUs, false);
        Report.Check(got, "self_by_id_with_if_clear", "an NMI IPI to this APIC's own ID never arrived");
        InterruptWindow.Open(QuietUs);
        Report.CheckEqual("self_by_id_once", 1, (ulong)s_nmiCount);

        // The "self" shorthand with NMI delivery is listed as invalid in SDM table 11-3:
        // what happens is measured, not judged.
        s_nmiCount = 0;
        Apic.SendIpi(0, 0, ApicRegisters.IcrNmi, ApicRegisters.IcrPhysical, ApicRegisters.IcrSelf);
        fixed (int* total = &s_nmiCount) got = InterruptWindow.WaitCount(total, 1, QuietUs, false);
        Report.Metric("self_shorthand_delivered", got ? 1 : 0, "bool");
        Report.CheckEqual("esr_clear", 0, Apic.ReadErrors());
    }
}
