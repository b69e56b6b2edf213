using Runner.Config;
using Runner.Execution;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>Results as the executor would produce them, judged from recorded transcripts.</summary>
static class ResultFactory
{
    public static TestRunResult Judged(string name, string[] stdout, int status, Func<string, KnownIssue?>? errata = null, AccelKind accel = AccelKind.Kvm)
    {
        var verdict = VerdictJudge.Judge(new RunEvidence { Stdout = stdout, ExitStatus = status, ExpectedCpus = 1 }, errata);
        return new TestRunResult(Entry(name), AccelDecision.Use(accel, "test"), verdict, TimeSpan.FromMilliseconds(1234))
        {
            Argv = ["qemu"],
            Output = stdout.Select(l => new OutputLine(OutputStream.Stdout, l, TimeSpan.Zero)).ToList(),
        };
    }

    public static TestRunResult Skipped(string name, string reason) =>
        new(Entry(name), AccelDecision.Skip(reason), new Verdict(Outcome.Skip, reason), TimeSpan.Zero);

    public static TestRunResult TimedOut(string name) =>
        new(Entry(name), AccelDecision.Use(AccelKind.Tcg, "test"),
            new Verdict(Outcome.Timeout, "no output for 20 s (timeout 20 s); the guest printed nothing"), TimeSpan.FromSeconds(20))
        { Argv = ["qemu"] };

    static TestEntry Entry(string name) => new() { Name = name, File = name };

    public static IReadOnlyList<TestRunResult> Mixed() =>
    [
        Judged("selftest", Transcripts.SelftestPass, 1),
        Judged("tcg-msr", Transcripts.SelftestTcgFail, 3, accel: AccelKind.Tcg),
        Skipped("ipiv", "requires ipiv: host KVM module is kvm_pvm"),
        Judged("xfail-msr", Transcripts.SelftestTcgFail, 3, c => c.StartsWith("msr.reserved", StringComparison.Ordinal)
            ? new KnownIssue("TCG: no #GP", Id: c.Contains("read") ? "tcg-reserved-msr-read" : "tcg-reserved-msr-write") : null),
        TimedOut("hang"),
    ];
}
