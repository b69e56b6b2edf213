using Runner.Config;
using Runner.Nested;
using Runner.Tests.Support;

namespace Runner.Tests.Nested;

public class L0AbortTests
{
    /// <summary>The L0 QEMU's stderr (recorded, build/logs/l1-*.log) as it ended an L1 run here (2026-12-02, `runner --host-kernel debian-6.12 vmexit --runs 1 --no-apicv`).</summary>
    static readonly string[] RecordedStderr =
    [
        "**",
        "ERROR:../../accel/tcg/tcg-accel-ops.c:81:tcg_handle_interrupt: assertion failed: (qemu_mutex_iothread_locked())",
    ];

    static IReadOnlyList<Erratum> ShippedErrata() =>
        ErrataParser.ParseFile(Path.Combine(Fixtures.RepoRoot(), "tests", "errata.cfg"), "tests/errata.cfg");

    static ConditionFacts L0(string qemu) => new("kvm_pvm", "tcg", "amd", Version.Parse(qemu));

    [Fact]
    public void The_recorded_abort_is_the_known_cr8_erratum_on_qemu_7_2_tcg()
    {
        var known = L0Abort.Match(RecordedStderr, "vmexit", ShippedErrata(), L0("7.2.22"));
        Assert.NotNull(known);
        Assert.Equal("l0-tcg-cr8-write-virq-unlocked", known.ErratumId);
        Assert.Contains("tcg_handle_interrupt", known.Line);
        Assert.Contains("helper_write_crN", known.Reason);
    }

    [Fact]
    public void Another_qemu_or_another_message_is_not_known()
    {
        Assert.Null(L0Abort.Match(RecordedStderr, "vmexit", ShippedErrata(), L0("9.2.0")));
        Assert.Null(L0Abort.Match(["qemu-system-x86_64: terminating on signal 15 from pid 1"], "vmexit", ShippedErrata(), L0("7.2.22")));
        Assert.Null(L0Abort.Match(RecordedStderr, "vmexit", ShippedErrata(), new ConditionFacts("kvm_pvm", "kvm", "amd", Version.Parse("7.2.22"))));
    }
}

public class L0AbortRetryTests
{
    [Fact]
    public void A_vmexit_abort_in_a_case_boots_again_without_that_case_only()
    {
        string[] args = ["--host-kernel", "debian-6.12", "vmexit", "--runs", "1"];
        Assert.Equal([.. args, "--leave-out", "self_ipi_tpr_sti_hlt"], L0Abort.RetryArgs(args, "vmexit self_ipi_tpr_sti_hlt"));
        Assert.Null(L0Abort.RetryArgs(args, null));
        Assert.Null(L0Abort.RetryArgs(["--host-kernel", "debian-6.12", "run", "apic-xapic"], "vmexit cpuid"));
        Assert.Equal([.. args, "--leave-out", "self_ipi_tpr_sti_hlt=the L0 QEMU aborted in it"],
            L0Abort.RetryArgs(args, "vmexit self_ipi_tpr_sti_hlt", "the L0 QEMU aborted in it"));
    }

    [Fact]
    public void It_stops_after_three_cases_were_left_out_so()
    {
        string[] args = ["vmexit", "--leave-out", "a", "--leave-out", "b", "--leave-out", "c"];
        Assert.Null(L0Abort.RetryArgs(args, "vmexit d"));
    }
}
