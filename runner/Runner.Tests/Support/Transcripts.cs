namespace Runner.Tests.Support;

/// <summary>Guest and QEMU output recorded on the development machine (kvm_pvm, QEMU 7.2).</summary>
public static class Transcripts
{
    /// <summary>build/selftest.elf under KVM, trimmed: begin, args, passes, a metric, a skip, end.</summary>
    public static readonly string[] SelftestPass =
    [
        "#kt begin selftest 1",
        "#kt arg cpus 1",
        "#kt check pass report.check",
        "#kt check pass report.check_equal",
        "#kt check pass report.check_range",
        "#kt metric report.metric -42 count",
        "#kt check pass format.decimal_zero",
        "#kt check pass msr.reserved_read_gp",
        "#kt check pass msr.reserved_write_gp",
        "#kt skip report.skip deliberate skip: the runner must count it as skipped",
        "#kt end 6 0 1",
    ];

    /// <summary>The same kernel under TCG, where reserved MSRs do not raise #GP.</summary>
    public static readonly string[] SelftestTcgFail =
    [
        "#kt begin selftest 1",
        "#kt arg cpus 1",
        "#kt check pass report.check",
        "#kt check fail msr.reserved_read_gp expected 0xd got 0xffffffffffffffff",
        "#kt check fail msr.reserved_write_gp expected 0xd got 0xffffffffffffffff",
        "#kt check pass msr.valid_write_no_fault",
        "#kt skip report.skip deliberate skip: the runner must count it as skipped",
        "#kt end 2 2 1",
    ];

    /// <summary>QEMU 7.2 `-cpu host` on kvm_pvm: aborts before the guest runs.</summary>
    public static readonly string[] MsrAbortStderr =
    [
        "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69",
        "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.",
    ];

    /// <summary>A guest executing xorps under kvm_pvm: QEMU's whole stderr, after which it pauses forever.</summary>
    public static readonly string[] KvmInternalErrorStderr =
    [
        "KVM internal error. Suberror: 1",
        "extra data[0]: 0x0000000000000001",
        "extra data[1]: 0xb0ee4bb0c0570f0f",
        "extra data[2]: 0x00b800f4ba66ee0a",
        "extra data[3]: 0x0000000000001000",
        "extra data[4]: 0x0000000000000000",
        "extra data[5]: 0x0000000000000000",
        "extra data[6]: 0x0000000000000000",
        "extra data[7]: 0x0000000000000000",
        "emulation failure",
        "EAX=00000253 EBX=000f31e0 ECX=00100000 EDX=000003f8",
        "ESI=000efbf0 EDI=000efc98 EBP=00000007 ESP=00007b60",
        "EIP=00100012 EFL=00000006 [-----P-] CPL=0 II=0 A20=1 SMM=0 HLT=0",
        "ES =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]",
        "CS =0008 00000000 ffffffff 00c09b00 DPL=0 CS32 [-RA]",
        "SS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]",
        "DS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]",
        "FS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]",
        "GS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]",
        "LDT=0000 00000000 0000ffff 00008200 DPL=0 LDT",
        "TR =0000 00000000 0000ffff 00008b00 DPL=0 TSS32-busy",
        "GDT=     ffffffc1 00000027",
        "IDT=     00000000 0000ffff",
        "CR0=00000011 CR2=00000000 CR3=00000000 CR4=00000200",
        "DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 ",
        "DR6=00000000ffff0ff0 DR7=0000000000000400",
        "EFER=0000000000000000",
        "Code=90 90 0f 20 e0 0d 00 02 00 00 0f 22 e0 66 ba f8 03 b0 53 ee <0f> 57 c0 b0 4b ee b0 0a ee 66 ba f4 00 b8 00 00 00 00 ef f4 eb fe 04 00 00 00 04 00 00 00",
    ];
}
