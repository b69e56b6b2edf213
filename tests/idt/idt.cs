using System.Runtime.InteropServices;
using Kernel;

/// <summary>
/// Exception delivery through the IDT (SDM vol. 3A ch. 6): each architectural
/// exception arrives with the right vector, error code, faulting RIP (or the next
/// RIP for traps), CR2 for #PF, and on its IST stack where one is configured.
/// Modelled on what kvm-unit-tests' x86/eventinj.c and idt_test.c check.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "idt";

    // Order matches raise_sites in kernel/boot/faults.asm.
    private const int SiteDE = 0, SiteUD = 1, SiteBP = 2, SiteGPSelector = 3, SiteGPNonCanonical = 4, SitePFRead = 5, SitePFWrite = 6;

    private const int Int3Length = 1;
    private const ushort SelectorBeyondGdt = 0xFFF8;
    // Identity paging covers the first 4 GiB only (boot/pvh.asm): this is not mapped.
    private const ulong Unmapped = 0x1_0000_0000 + 0x1234_5000;
    // #PF error code bits (SDM vol. 3A 4.7).
    private const ulong PfPresent = 1 << 0, PfWrite = 1 << 1, PfUser = 1 << 2;

    [DllImport("*"), SuppressGCTransition] private static extern int raise_de();
    [DllImport("*"), SuppressGCTransition] private static extern int raise_ud();
    [DllImport("*"), SuppressGCTransition] private static extern int raise_bp();
    [DllImport("*"), SuppressGCTransition] private static extern int raise_gp_selector(ushort selector);
    [DllImport("*"), SuppressGCTransition] private static extern int raise_gp_noncanonical();
    [DllImport("*"), SuppressGCTransition] private static extern int raise_pf_read(ulong address);
    [DllImport("*"), SuppressGCTransition] private static extern int raise_pf_write(ulong address);
    [DllImport("*"), SuppressGCTransition] private static extern int raise_int2();
    [DllImport("*"), SuppressGCTransition] private static extern ulong raise_insn_address(int site);
    [DllImport("*"), SuppressGCTransition] private static extern void reload_data_segments();

    /// <summary>
    /// `part=faults` runs the exceptions raised by faulting instructions, `part=softint`
    /// those raised by INT3/INT n (separate because a host that mis-emulates software
    /// interrupts kills the whole VM, which would hide every later check); default both.
    /// </summary>
    public static void Run()
    {
        PerCpu* cpu = PerCpu.Current;
        bool all = !CommandLine.Has("part");
        if (all || CommandLine.Is("part", "faults")) Faults(cpu);
        if (all || CommandLine.Is("part", "softint")) SoftwareInterrupts(cpu);
    }

    private static void Faults(PerCpu* cpu)
    {
        int before = cpu->ExceptionCount;
        Expect("idt.de", "idt.de.rip", "idt.de.error_code", raise_de(), Exceptions.DE, SiteDE, 0, 0);
        Expect("idt.ud", "idt.ud.rip", "idt.ud.error_code", raise_ud(), Exceptions.UD, SiteUD, 0, 0);
        int v = raise_gp_selector(SelectorBeyondGdt);
        reload_data_segments();
        // A selector error code is the selector's index, TI and EXT bits: here 0xFFF8.
        Expect("idt.gp_selector", "idt.gp_selector.rip", "idt.gp_selector.error_code", v, Exceptions.GP, SiteGPSelector, 0, SelectorBeyondGdt);
        Expect("idt.gp_noncanonical", "idt.gp_noncanonical.rip", "idt.gp_noncanonical.error_code", raise_gp_noncanonical(), Exceptions.GP, SiteGPNonCanonical, 0, 0);

        Expect("idt.pf_read", "idt.pf_read.rip", "idt.pf_read.error_code", raise_pf_read(Unmapped), Exceptions.PF, SitePFRead, 0, 0);
        Report.CheckEqual("idt.pf_read.cr2", Unmapped, cpu->LastCr2);
        Expect("idt.pf_write", "idt.pf_write.rip", "idt.pf_write.error_code", raise_pf_write(Unmapped + 8), Exceptions.PF, SitePFWrite, 0, PfWrite);
        Report.CheckEqual("idt.pf_write.cr2", Unmapped + 8, cpu->LastCr2);
        Report.Check((cpu->LastErrorCode & (PfPresent | PfUser)) == 0, "idt.pf_write.not_present_supervisor");

        // Configure IST 1 on #UD for a moment: the frame must move to that stack.
        ulong dfTop = Tss.StackTop(cpu->Index, Tss.IstDoubleFault);
        raise_ud();
        Report.Check(cpu->LastFrame >= dfTop || cpu->LastFrame < dfTop - Tss.IstStackSize, "idt.ist.no_ist_uses_current_stack",
            "frame of #UD is on IST 1 though its gate has no IST");
        Idt.SetIst(Exceptions.UD, Tss.IstDoubleFault);
        raise_ud();
        Idt.SetIst(Exceptions.UD, 0);
        Report.Check(cpu->LastFrame < dfTop && cpu->LastFrame >= dfTop - Tss.IstStackSize, "idt.ist.configured_switch",
            "frame of #UD is not on IST 1 after its gate was set to it");

        Report.CheckEqual("idt.resume_rip_disarmed", 0, cpu->ResumeRip);
        Report.CheckEqual("idt.fault_count", 8, (ulong)(cpu->ExceptionCount - before));
    }

    // The guest cannot concatenate strings, so each check's three names are spelled out.
    private static void Expect(string name, string ripName, string errorName, int vector, int expectedVector,
                               int site, int ripAdvance, ulong errorCode)
    {
        PerCpu* cpu = PerCpu.Current;
        if (!Report.CheckEqual(name, (ulong)expectedVector, (ulong)(uint)vector)) return;
        ulong expectedRip = raise_insn_address(site) + (ulong)ripAdvance;
        Report.CheckEqual(ripName, expectedRip, cpu->LastRip);
        Report.CheckEqual(errorName, errorCode, cpu->LastErrorCode);
    }

    private static void SoftwareInterrupts(PerCpu* cpu)
    {
        Expect("idt.bp", "idt.bp.rip_after_int3", "idt.bp.error_code", raise_bp(), Exceptions.BP, SiteBP, Int3Length, 0);
        ulong top = Tss.StackTop(cpu->Index, Tss.IstNmi);
        Report.Check(cpu->LastFrame >= top || cpu->LastFrame < top - Tss.IstStackSize, "idt.ist.bp_gate_uses_current_stack",
            "frame of INT3 is on the NMI IST stack, though its gate has no IST");

        // Vector 2 is configured for IST 2 (Boot.cs): INT 2 through that gate must run on that stack.
        Report.CheckEqual("idt.int2.vector", Exceptions.NMI, (ulong)(uint)raise_int2());
        Report.Check(cpu->LastFrame < top && cpu->LastFrame >= top - Tss.IstStackSize, "idt.ist.nmi_gate_uses_ist2",
            "frame of INT 2 is not on the NMI IST stack");
    }
}
