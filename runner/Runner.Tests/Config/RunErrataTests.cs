using Runner.Config;
using Runner.Protocol;

namespace Runner.Tests.Config;

/// <summary>Run errata: a host bug that kills the whole guest, matched by how the run failed.</summary>
public class RunErrataTests
{
    static readonly ConditionFacts PvmKvm = new("kvm_pvm", "kvm", "amd", new Version(7, 2, 22));

    const string Text = """
        [pvm-int3]
        test = idt-softint
        failure = KVM internal error*emulation failure*
        when = backend=kvm_pvm accel=kvm qemu=7.2
        reason = kvm_pvm cannot emulate INT3
        """;

    [Fact]
    public void RunErratumMatchesOnlyItsFailureReason()
    {
        var e = ErrataParser.Parse(Text, "e").Single();

        Assert.True(e.IsRunErratum);
        Assert.True(e.MatchesRunFailure("idt-softint", "KVM internal error. Suberror: 1 (emulation failure)", PvmKvm));
        Assert.False(e.MatchesRunFailure("idt-softint", "guest fault: #GP error 0x0 rip 0x1000 on cpu 0", PvmKvm));
        Assert.False(e.MatchesRunFailure("idt", "KVM internal error. Suberror: 1 (emulation failure)", PvmKvm));
        Assert.False(e.MatchesRunFailure("idt-softint", "KVM internal error. Suberror: 1 (emulation failure)", PvmKvm with { Accel = "tcg" }));
        // A run erratum never turns a failed check into XFAIL.
        Assert.False(e.Matches("idt-softint", "idt.bp", PvmKvm));
    }

    [Fact]
    public void QemuSeriesConditionCoversItsPointReleases()
    {
        var e = ErrataParser.Parse(Text, "e").Single();
        const string reason = "KVM internal error. Suberror: 1 (emulation failure)";

        Assert.True(e.MatchesRunFailure("idt-softint", reason, PvmKvm with { Qemu = new Version(7, 2) }));
        Assert.False(e.MatchesRunFailure("idt-softint", reason, PvmKvm with { Qemu = new Version(8, 2, 2) }));
    }

    [Theory]
    [InlineData("[x]\ntest = t\nreason = r\n")]
    [InlineData("[x]\ntest = t\ncheck = c\nfailure = f\nreason = r\n")]
    public void EntryNeedsExactlyOneOfCheckOrFailure(string text)
    {
        var e = Assert.Throws<ConfigErrorException>(() => ErrataParser.Parse(text, "tests/errata.cfg"));
        Assert.Contains("exactly one of 'check'", e.Message);
    }

    [Fact]
    public void JudgeTurnsAMatchingWholeRunFailureIntoXFail()
    {
        var evidence = new RunEvidence
        {
            Stdout = ["#kt begin idt 1", "KVM internal error. Suberror: 1", "emulation failure"],
            Stderr = [],
            ExitStatus = null,
            Termination = Termination.HardTimeout,
            TerminationDetail = "killed",
        };

        var plain = VerdictJudge.Judge(evidence);
        var known = VerdictJudge.Judge(evidence, null, reason => reason.StartsWith("KVM internal error") ? "kvm_pvm bug" : null);
        var other = VerdictJudge.Judge(evidence, null, _ => null);

        Assert.Equal(Outcome.Fail, plain.Outcome);
        Assert.Equal(Outcome.XFail, known.Outcome);
        Assert.Contains("kvm_pvm bug", known.Reason);
        Assert.Equal(Outcome.Fail, other.Outcome);
    }

    [Fact]
    public void JudgeNeverCoversFailedChecksWithARunErratum()
    {
        var evidence = new RunEvidence
        {
            Stdout = ["#kt begin idt 1", "#kt check fail idt.de expected 0x0 got 0x6", "#kt end 0 1 0"],
            Stderr = [],
            ExitStatus = 3,
            Termination = Termination.None,
            TerminationDetail = "",
        };

        var v = VerdictJudge.Judge(evidence, null, _ => "anything");

        Assert.Equal(Outcome.Fail, v.Outcome);
    }
}
