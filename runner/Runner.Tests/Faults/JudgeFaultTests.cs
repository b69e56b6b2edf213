using Runner.Config;
using Runner.Execution;
using Runner.Processes;
using Runner.Protocol;
using Runner.Tests.Support;

namespace Runner.Tests.Faults;

/// <summary>
/// How the judge names resets, QEMUs that never started and interrupted runs. The
/// stderr lines are QEMU 7.2's own wording, seen on this project's machines; the guest
/// transcripts are the recorded selftest, cut short (hand-written cuts).
/// </summary>
public class JudgeFaultTests
{
    static RunEvidence Run(string[] stdout, int? status, params string[] stderr) =>
        new() { Stdout = stdout, Stderr = stderr, ExitStatus = status, ExpectedCpus = 1 };

    [Fact]
    public void NoRebootExitWithoutSummaryIsAReset()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass[..3], 0));
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("triple fault / guest reset: QEMU exited with status 0", v.Reason);
    }

    [Fact]
    public void StatusZeroFromSomeonesSignalIsNotAReset()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass[..3], 0, "qemu-system-x86_64: terminating on signal 15 from pid 4242 (bash)"));
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.DoesNotContain("reset", v.Reason);
        Assert.Contains("terminating on signal 15", v.Reason);
    }

    [Fact]
    public void SecondBeginIsAReset()
    {
        string[] stdout = [.. Transcripts.SelftestPass[..3], .. Transcripts.SelftestPass];
        var v = VerdictJudge.Judge(Run(stdout, 1));
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("triple fault / guest reset: `#kt begin` seen 2 times", v.Reason);
    }

    [Fact]
    public void RunnerStopOnSecondBeginIsAReset()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass[..3], null) with
        {
            Termination = Termination.GuestReset,
            TerminationDetail = "a second `#kt begin` at line 9: the guest reset and started over",
        });
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.StartsWith("triple fault / guest reset: a second `#kt begin` at line 9", v.Reason);
    }

    [Fact]
    public void BadQemuFlagIsQemuDidNotStart()
    {
        var v = VerdictJudge.Judge(Run([], 1, "qemu-system-x86_64: -bogus: invalid option"));
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Equal("QEMU did not start: qemu-system-x86_64: -bogus: invalid option (QEMU exit status 1 (guest: all passed))", v.Reason);
    }

    [Fact]
    public void OverlongLineIsAFailNamingTheLimit()
    {
        var v = VerdictJudge.Judge(Run(Transcripts.SelftestPass[..3], null) with
        {
            Termination = Termination.OverlongLine,
            TerminationDetail = "overlong line 4: more than 8192 bytes without a newline (the protocol's limit, docs/protocol.md)",
        });
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Contains("more than 8192 bytes", v.Reason);
    }

    [Theory]
    [InlineData("\u001b[31mred\u001b[0m", "\\x1b[31mred\\x1b[0m")]
    [InlineData("a\0b\u007f\u00ff\rc\td", "a\\x00b\\x7f\\xff\\x0dc\td")]
    [InlineData("plain #kt check pass x", "plain #kt check pass x")]
    // UTF-8 "×" and "±" as bytes read one per char: kept; a lone lead byte and a C1 control (U+009B, CSI) are not.
    [InlineData("\u00c3\u0097 5 \u00c2\u00b1 1", "\u00d7 5 \u00b1 1")]
    [InlineData("a\u00c3b \u00c2\u009b[2J", "a\\xc3b \\xc2\\x9b[2J")]
    // Overlong "/", a lone continuation byte, an encoded surrogate, the noncharacter U+FFFE (not allowed in XML),
    // U+202E (right-to-left override) and U+2028 (line separator): escaped byte by byte.
    [InlineData("\u00c0\u00af \u0080 \u00ed\u00a0\u0080", "\\xc0\\xaf \\x80 \\xed\\xa0\\x80")]
    [InlineData("\u00ef\u00bf\u00be \u00e2\u0080\u00ae \u00e2\u0080\u00a8", "\\xef\\xbf\\xbe \\xe2\\x80\\xae \\xe2\\x80\\xa8")]
    // A printable character outside the BMP (U+1F600, 4 bytes) is kept.
    [InlineData("\u00f0\u009f\u0098\u0080", "\U0001F600")]
    public void ControlBytesAreEscaped(string raw, string expected) =>
        Assert.Equal(expected, PrintableText.Escape(raw));

    [Theory]
    [InlineData("FAIL: triple fault / guest reset", Outcome.Fail, "triple fault / guest reset: QEMU exited", true)]
    [InlineData("FAIL: triple fault", Outcome.Timeout, "triple fault", false)]
    [InlineData("FAIL: guest fault: #PF*cr2 0x0", Outcome.Fail, "guest fault: #PF (vector 14) error 0x0 rip 0x1 on cpu 0: #PF page fault cr2 0x0", true)]
    [InlineData("FAIL: guest fault: #PF*cr2 0x0", Outcome.Fail, "guest fault: #PF (vector 14) error 0x0 rip 0x1 on cpu 0: #PF page fault cr2 0x10", false)]
    [InlineData("FAIL: KVM internal error; PASS", Outcome.Pass, "", true)]
    [InlineData("TIMEOUT", Outcome.Timeout, "no output for 2 s", true)]
    public void ExpectationMatchesOutcomeAndReason(string expect, Outcome outcome, string reason, bool matches) =>
        Assert.Equal(matches, Expectation.Parse(expect).Matches(outcome, reason));

    [Theory]
    [InlineData("BROKEN: x", "'BROKEN' is not a verdict")]
    [InlineData("FAIL:", "empty reason after 'FAIL:'")]
    public void BadExpectationIsAFileLineError(string expect, string message)
    {
        var e = Assert.Throws<ConfigErrorException>(() => UnitTestsParser.Parse($"[f]\nexpect = {expect}\n", "tests/unittests.cfg"));
        Assert.Equal(2, e.Line);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MatchedExpectationPassesAndKeepsTheJudgedVerdict()
    {
        var judged = new Verdict(Outcome.Fail, "triple fault / guest reset: QEMU exited with status 0");
        var v = ExpectedOutcome.Apply(Expectation.Parse("FAIL: triple fault / guest reset"), judged);
        Assert.Equal(Outcome.Pass, v.Outcome);
        Assert.Equal(judged, v.Judged);
    }

    [Fact]
    public void UnmatchedExpectationFailsSayingBoth()
    {
        var v = ExpectedOutcome.Apply(Expectation.Parse("FAIL: triple fault"), new Verdict(Outcome.Pass, ""));
        Assert.Equal(Outcome.Fail, v.Outcome);
        Assert.Equal("expected FAIL: triple fault, got PASS", v.Reason);
    }

    [Fact]
    public void InterruptedExpectedRunStaysSkipped()
    {
        var v = ExpectedOutcome.Apply(Expectation.Parse("FAIL: triple fault"), new Verdict(Outcome.Skip, "interrupted: stopped by SIGTERM after 1 s; not judged"));
        Assert.Equal(Outcome.Skip, v.Outcome);
    }

    [Fact]
    public void PlainRunLeavesExpectEntriesOut()
    {
        var entries = UnitTestsParser.Parse("[a]\ngroups = x\n[f]\ngroups = faults\nexpect = TIMEOUT\n", "u");
        Assert.Equal(["a"], TestSelector.Select(entries, [], null).Select(e => e.Name));
        Assert.Equal(["f"], TestSelector.Select(entries, [], "faults").Select(e => e.Name));
        Assert.Equal(["f"], TestSelector.Select(entries, ["f"], null).Select(e => e.Name));
    }

    [Fact]
    public void ReaperRemovesOnlyDeadRunnersFolders()
    {
        using var tmp = new TempDir();
        var dead = Directory.CreateDirectory(Path.Combine(tmp.Path, "runner-999999999-abc")).FullName;
        var deadProbe = Directory.CreateDirectory(Path.Combine(tmp.Path, "runner-probe-999999998-abc")).FullName;
        var alive = Directory.CreateDirectory(Path.Combine(tmp.Path, $"runner-{Environment.ProcessId}-abc")).FullName;
        var other = Directory.CreateDirectory(Path.Combine(tmp.Path, "runner-tests-xyz")).FullName;

        var removed = ScratchDirs.ReapDead(tmp.Path);

        Assert.Equal([dead, deadProbe], removed.Order());
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(alive));
        Assert.True(Directory.Exists(other));
    }
}
