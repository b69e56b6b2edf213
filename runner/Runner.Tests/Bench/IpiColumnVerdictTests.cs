using Runner.Bench;
using Runner.Counters;
using Runner.Protocol;

namespace Runner.Tests.Bench;

public class IpiColumnVerdictTests
{
    static IpiColumnResult Column(bool ipiv, params IpiRun[] runs) =>
        new() { Key = "xapic/w-ipiv", Label = "xAPIC w/ IPIv", Apic = "xapic", Ipiv = ipiv, Runs = runs };

    static IpiRun Used(params string[] inhibits) => new()
    {
        Index = 1, Outcome = Outcome.Pass, Used = true,
        Apicv = new ApicvObservation { State = ApicvInVm.Inhibited, Inhibits = inhibits, Detail = "inhibited" },
    };

    [Fact]
    public void TheDiagnosticFailsWhenThePitInhibitWasNotReported()
    {
        Assert.Equal(ColumnVerdictKind.Failed, IpiColumnVerdict.Judge(Column(true, Used("DISABLED")), diagnostic: true)?.Kind);
        Assert.Null(IpiColumnVerdict.Judge(Column(true, Used("PIT_REINJ")), diagnostic: true));
    }

    [Fact]
    public void AFailedRunFailsAndAnUnavailableColumnIsSkipped()
    {
        var failed = new IpiRun { Index = 2, Outcome = Outcome.Fail, Used = false, Excluded = "FAIL: boot.cpus_online" };
        Assert.Equal(ColumnVerdictKind.Failed, IpiColumnVerdict.Judge(Column(false, Used(), failed), diagnostic: false)?.Kind);
        Assert.Equal(ColumnVerdictKind.Skipped, IpiColumnVerdict.Judge(Column(true) with { Unavailable = "no AVIC" }, diagnostic: false)?.Kind);
    }

    static IpiRun KnownIssue(params string[] inhibits) => Used(inhibits) with
    {
        Index = 3, Outcome = Outcome.XFail, Used = false, Excluded = "XFAIL: 1 known host issue (l1-tcg-reentered-interrupt)",
    };

    [Fact]
    public void ARunWithAKnownHostIssueGivesNoFiguresButIsNoFailure()
    {
        Assert.Null(IpiColumnVerdict.Judge(Column(false, Used(), KnownIssue()), diagnostic: false));
        var onlyKnown = IpiColumnVerdict.Judge(Column(false, KnownIssue()), diagnostic: false);
        Assert.Equal(ColumnVerdictKind.Skipped, onlyKnown?.Kind);
        Assert.Contains("l1-tcg-reentered-interrupt", onlyKnown?.Why);
    }

    [Fact]
    public void TheDiagnosticStillJudgesTheInhibitOfARunWithAKnownHostIssue()
    {
        Assert.Equal(ColumnVerdictKind.Failed, IpiColumnVerdict.Judge(Column(true, KnownIssue("DISABLED")), diagnostic: true)?.Kind);
        Assert.Equal(ColumnVerdictKind.Skipped, IpiColumnVerdict.Judge(Column(true, KnownIssue("PIT_REINJ")), diagnostic: true)?.Kind);
    }
}
