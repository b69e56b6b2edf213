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

    private const string Rip = ".rip", ErrorCode = ".error_code";

    /// <summary>What the faults row raises: #DE, #UD, two #GP, two #PF, and the two #UD of the IST checks.</summary>
    private const ulong FaultsRaised = 8;

    /// <summary>
    /// Two rows: `faults`, the exceptions raised by faulting instructions, and `softint`,
    /// those raised by INT3/INT n (only=faults, only=softint: separate entries, because a
    /// host that mis-emulates software interrupts kills the whole VM, which would hide every
    /// later check). Each row writes several sections (`idt.de`, `idt.ist`), so its lines are
    /// named relative to the kernel.
    /// </summary>
    public static void Run()
    {
        TestSuite.Begin(Name);
        // row                      function              precondition
        TestSuite.Group("faults",   &Faults,              null);
        TestSuite.Group("softint",  &SoftwareInterrupts,  null);
        TestSuite.Finish();
    }

    private static void Faults()
    {
        PerCpu* cpu = PerCpu.Current;
        int before = cpu->ExceptionCount;
        Expect("de", Rip, raise_de(), Exceptions.DE, SiteDE, 0, 0);
        Expect("ud", Rip, raise_ud(), Exceptions.UD, SiteUD, 0, 0);
        int v = raise_gp_selector(SelectorBeyondGdt);
        reload_data_segments();
        // A selector error code is the selector's index, TI and EXT bits: here 0xFFF8.
        Expect("gp_selector", Rip, v, Exceptions.GP, SiteGPSelector, 0, SelectorBeyondGdt);
        Expect("gp_noncanonical", Rip, raise_gp_noncanonical(), Exceptions.GP, SiteGPNonCanonical, 0, 0);

        Expect("pf_read", Rip, raise_pf_read(Unmapped), Exceptions.PF, SitePFRead, 0, 0);
        Report.CheckEqual("pf_read.cr2", Unmapped, cpu->LastCr2);
        Expect("pf_write", Rip, raise_pf_write(Unmapped + 8), Exceptions.PF, SitePFWrite, 0, PfWrite);
        Report.CheckEqual("pf_write.cr2", Unmapped + 8, cpu->LastCr2);
        Report.Check((cpu->LastErrorCode & (PfPresent | PfUser)) == 0, "pf_write.not_present_supervisor");

        // Configure IST 1 on #UD for a moment: the frame must move to that stack.
        ulong dfTop = Tss.StackTop(cpu->Index, Tss.IstDoubleFault);
        raise_ud();
        Report.Check(cpu->LastFrame >= dfTop || cpu->LastFrame < dfTop - Tss.IstStackSize, "ist.no_ist_uses_current_stack",
            "frame of #UD is on IST 1 though its gate has no IST");
        Idt.SetIst(Exceptions.UD, Tss.IstDoubleFault);
        raise_ud();
        Idt.SetIst(Exceptions.UD, 0);
        Report.Check(cpu->LastFrame < dfTop && cpu->LastFrame >= dfTop - Tss.IstStackSize, "ist.configured_switch",
            "frame of #UD is not on IST 1 after its gate was set to it");

        Report.CheckEqual("resume_rip_disarmed", 0, cpu->ResumeRip);
        Report.CheckEqual("fault_count", FaultsRaised, (ulong)(cpu->ExceptionCount - before));
    }

    /// <summary>
    /// Checks `NAME` (the vector), `NAME` + <paramref name="ripSuffix"/> and `NAME.error_code`
    /// of an exception raised at <paramref name="site"/>; the name is written once.
    /// </summary>
    private static void Expect(string name, string ripSuffix, int vector, int expectedVector,
                               int site, int ripAdvance, ulong errorCode)
    {
        PerCpu* cpu = PerCpu.Current;
        if (!Report.CheckEqual(name, Report.Self, "", (ulong)expectedVector, (ulong)(uint)vector)) return;
        ulong expectedRip = raise_insn_address(site) + (ulong)ripAdvance;
        Report.CheckEqual(name, ripSuffix, "", expectedRip, cpu->LastRip);
        Report.CheckEqual(name, ErrorCode, "", errorCode, cpu->LastErrorCode);
    }

    private static void SoftwareInterrupts()
    {
        PerCpu* cpu = PerCpu.Current;
        Expect("bp", ".rip_after_int3", raise_bp(), Exceptions.BP, SiteBP, Int3Length, 0);
        ulong top = Tss.StackTop(cpu->Index, Tss.IstNmi);
        Report.Check(cpu->LastFrame >= top || cpu->LastFrame < top - Tss.IstStackSize, "ist.bp_gate_uses_current_stack",
            "frame of INT3 is on the NMI IST stack, though its gate has no IST");

        // Vector 2 is configured for IST 2 (Boot.cs): INT 2 through that gate must run on that stack.
        Report.CheckEqual("int2.vector", Exceptions.NMI, (ulong)(uint)raise_int2());
        Report.Check(cpu->LastFrame < top && cpu->LastFrame >= top - Tss.IstStackSize, "ist.nmi_gate_uses_ist2",
            "frame of INT 2 is not on the NMI IST stack");
    }
}
