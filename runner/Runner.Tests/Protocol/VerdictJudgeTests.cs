using Runner.Protocol;
using Runner.Tests.Support;

namespace Runner.Tests.Protocol;

public class VerdictJudgeTests
{
    static RunEvidence Run(string[] stdout, int? status, params string[] stderr) =>
        new() { Stdout = stdout, Stderr = stderr, ExitStatus = status, ExpectedCpus = 1 };

    [Fact]
    public void RecordedSelftestPasses()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass, 1));

        Assert.Equal(Outcome.Pass, v.Outcome);
        Assert.Equal("", v.Reason);
        Assert.Equal(6, v.Count(CheckOutcome.Pass));
        Assert.Equal(1, v.Count(CheckOutcome.Skip));
        Assert.Equal(new MetricRecord(6, "report.metric", -42, "count"), Assert.Single(v.Metrics));
    }

    [Fact]
    public void NoiseAroundTheProtocolIsIgnored()
    {
        string[] stdout = ["\u001bc\u001b[?7l\u001b[2J\u001b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)", "Booting from ROM..", .. Transcripts.SelftestPass];
        Assert.Equal(Outcome.Pass, VerdictJudge.Judge(Run(stdout, 1)).Outcome);
    }

    [Fact]
    public void RecordedTcgFailureFailsWithEachCheck()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestTcgFail, 3));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Equal("2 of 4 checks failed: msr.reserved_read_gp: expected 0xd got 0xffffffffffffffff; " +
                     "msr.reserved_write_gp: expected 0xd got 0xffffffffffffffff", v.Reason);
        Assert.Equal(2, v.Count(CheckOutcome.Fail));
    }

    [Fact]
    public void FailuresCoveredByErrataAreXFail()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestTcgFail, 3),
            check => check.StartsWith("msr.reserved_", StringComparison.Ordinal) ? new KnownIssue("TCG does not #GP") : null);

        Assert.Equal(Outcome.XFail, v.Outcome);
        Assert.Contains("msr.reserved_read_gp: TCG does not #GP", v.Reason);
        Assert.Equal(2, v.Count(CheckOutcome.XFail));
        Assert.Equal(0, v.Count(CheckOutcome.Fail));
    }

    [Fact]
    public void OneUncoveredFailureStillFails()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestTcgFail, 3),
            check => check == "msr.reserved_read_gp" ? new KnownIssue("known") : null);

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("1 of 4 checks failed: msr.reserved_write_gp", v.Reason);
        Assert.Equal(1, v.Count(CheckOutcome.XFail));
    }

    [Fact]
    public void PassingCheckCoveredByErratumIsXPassButTheRunPasses()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass, 1), check => check == "msr.reserved_read_gp" ? new KnownIssue("TCG does not #GP") : null);

        Assert.Equal(Outcome.Pass, v.Outcome);
        var xpass = Assert.Single(v.Checks, c => c.Outcome == CheckOutcome.XPass);
        Assert.Equal("msr.reserved_read_gp", xpass.Name);
        Assert.Equal("TCG does not #GP", xpass.ErratumReason);
    }

    [Fact]
    public void IntermittentIssueThatPassesIsAPlainPass()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass, 1),
            check => check == "msr.reserved_read_gp" ? new KnownIssue("late now and then", Intermittent: true) : null);

        Assert.Equal(Outcome.Pass, v.Outcome);
        Assert.DoesNotContain(v.Checks, c => c.Outcome == CheckOutcome.XPass);
        Assert.Equal(CheckOutcome.Pass, Assert.Single(v.Checks, c => c.Name == "msr.reserved_read_gp").Outcome);
    }

    [Fact]
    public void IntermittentIssueThatFailsIsXFailWithItsReason()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestTcgFail, 3),
            check => check.StartsWith("msr.reserved_", StringComparison.Ordinal) ? new KnownIssue("late now and then", Intermittent: true) : null);

        Assert.Equal(Outcome.XFail, v.Outcome);
        Assert.Contains("msr.reserved_read_gp: late now and then", v.Reason);
    }

    [Fact]
    public void AllSkippedIsSkipWithTheFirstReason()
    {
        string[] stdout = ["#kt begin ipiv 1", "#kt skip ipiv.all IPIv not offered: CPUID shows no IPI virtualization", "#kt skip ipiv.self needs ipiv", "#kt end 0 0 2"];
        var v = VerdictJudge.Judge(Run(stdout, 5));

        Assert.Equal(Outcome.Skip, v.Outcome);
        Assert.Equal("all 2 checks skipped: ipiv.all: IPIv not offered: CPUID shows no IPI virtualization", v.Reason);
    }

    [Fact]
    public void MissingEndIsGuestEndedWithoutSummary()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass[..4], 1));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("guest ended without summary", v.Reason);
        Assert.Contains("last protocol line 4: #kt check pass report.check_equal", v.Reason);
    }

    [Fact]
    public void QemuAbortBeforeTheGuestNamesStderr()
    {
        var v = VerdictJudge.Judge(Run([], 134, Transcripts.MsrAbortStderr));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("QEMU did not start: ", v.Reason);
        Assert.Contains("exit status 134", v.Reason);
        Assert.Contains("failed to set MSR 0x10a", v.Reason);
    }

    [Fact]
    public void SummaryCountMismatchFails()
    {
        string[] stdout = [.. Transcripts.SelftestPass[..^1], "#kt end 7 0 1"];
        var v = VerdictJudge.Judge(Run(stdout, 1));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Equal("summary mismatch: `#kt end 7 0 1` but saw 6 pass, 0 fail, 1 skip lines", v.Reason);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(0)]
    public void ExitStatusMustAgreeWithSummary(int status)
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass, status));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith($"exit status disagrees with summary: QEMU exit status {status}", v.Reason);
    }

    [Fact]
    public void KvmInternalErrorFailsWithThatText()
    {
        var v = VerdictJudge.Judge(new RunEvidence
        {
            Stdout = ["#kt begin selftest 1", "S"],
            Stderr = Transcripts.KvmInternalErrorStderr,
            Termination = Termination.KvmInternalError,
            TerminationDetail = "QEMU reported a KVM internal error and paused; killed",
        });

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Equal("KVM internal error. Suberror: 1 (emulation failure)", v.Reason);
    }

    [Fact]
    public void KvmInternalErrorOnStdoutCountsToo()
    {
        var v = VerdictJudge.Judge(Run(["#kt begin k 1", "KVM internal error. Suberror: 3"], null));
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("KVM internal error. Suberror: 3", v.Reason);
    }

    [Fact]
    public void IdleTimeoutIsTimeoutWithLastProgress()
    {
        var v = VerdictJudge.Judge(new RunEvidence
        {
            Stdout = Transcripts.SelftestPass[..3],
            Termination = Termination.IdleTimeout,
            TerminationDetail = "no output for 20 s (timeout 20 s)",
        });

        Assert.Equal(Outcome.Timeout, v.Outcome);
        Assert.Equal("no output for 20 s (timeout 20 s); last protocol line 3: #kt check pass report.check", v.Reason);
    }

    [Fact]
    public void TimeoutWithoutOutputSaysSo()
    {
        var v = VerdictJudge.Judge(new RunEvidence { Termination = Termination.HardTimeout, TerminationDetail = "still running" });
        Assert.Equal(Outcome.Timeout, v.Outcome);
        Assert.EndsWith("the guest printed nothing", v.Reason);
    }

    [Fact]
    public void FaultFailsWithDecodedVector()
    {
        string[] stdout = ["#kt begin apic 1", "#kt check pass apic.id", "#kt fault 13 0x0 0x10234a 0 wrmsr 0x830", "#kt end 1 1 0"];
        var v = VerdictJudge.Judge(Run(stdout, 3));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Equal("guest fault: #GP (vector 13) error 0x0 rip 0x10234a on cpu 0: wrmsr 0x830", v.Reason);
    }

    [Fact]
    public void MalformedLineFails()
    {
        string[] stdout = ["#kt begin k 1", "#kt check pass ok", "#kt metric t 1.5 ns", "#kt end 1 0 0"];
        var v = VerdictJudge.Judge(Run(stdout, 1));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("malformed protocol line 3", v.Reason);
    }

    [Fact]
    public void ProtocolAfterEndFails()
    {
        string[] stdout = ["#kt begin k 1", "#kt check pass a", "#kt end 1 0 0", "#kt check pass b"];
        var v = VerdictJudge.Judge(Run(stdout, 1));

        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Contains("comes after `#kt end`", v.Reason);
    }

    [Fact]
    public void SecondBeginMeansTheGuestRestarted()
    {
        string[] stdout = ["#kt begin k 1", "#kt begin k 1", "#kt end 0 0 0"];
        var v = VerdictJudge.Judge(Run(stdout, 5));
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Contains("seen 2 times", v.Reason);
    }

    [Fact]
    public void CpuCountMustMatchSmp()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass, 1) with { ExpectedCpus = 4 });
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Equal("guest reports 1 vCPU(s) in `#kt begin` but QEMU was given 4", v.Reason);
    }

    [Fact]
    public void CancelledRunIsInterruptedNeverFail()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass[..3], null) with { Termination = Termination.Cancelled, TerminationDetail = "stopped by Ctrl-C (SIGINT) after 1.2 s" });
        Assert.Equal(Outcome.Skip, v.Outcome);
        Assert.Equal("interrupted: stopped by Ctrl-C (SIGINT) after 1.2 s; not judged", v.Reason);
    }
}
