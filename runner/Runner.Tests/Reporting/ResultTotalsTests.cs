using System.Xml.Linq;
using Runner.Reporting;

namespace Runner.Tests.Reporting;

public class ResultTotalsTests
{
    // The shape `dotnet test --logger trx` writes (trimmed to what is read).
    const string Trx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <ResultSummary outcome="Failed">
            <Counters total="10" executed="9" passed="7" failed="2" error="0" timeout="0" aborted="0" inconclusive="0" notExecuted="1" />
          </ResultSummary>
        </TestRun>
        """;

    const string JUnit = """
        <testsuites>
          <testsuite name="runner">
            <testcase classname="kernels" name="selftest" />
            <testcase classname="kernels" name="apic"><skipped message="XFAIL: kvm_pvm never sets ISR" /></testcase>
            <testcase classname="kernels" name="pveoi"><skipped message="all checks skipped" /></testcase>
            <testcase classname="kernels" name="idt"><failure message="guest fault" /></testcase>
            <testcase classname="selftest" name="report.check" />
            <testcase classname="selftest" name="report.other"><failure message="x" /></testcase>
          </testsuite>
        </testsuites>
        """;

    [Fact]
    public void TrxCountsPassedFailedAndNotExecuted()
    {
        var t = ResultTotals.FromTrx(XDocument.Parse(Trx));
        Assert.Equal((7, 2, 1), (t.Passed, t.Failed, t.Skipped));
    }

    // Recorded from `dotnet test --logger trx` of one xunit.v3 test calling Assert.Skip (trimmed):
    // its Counters say nothing of the skip, only the result's outcome does.
    const string XunitV3SkipTrx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult testName="Runner.Tests.ZzSkipProbe.SkipsForReal" outcome="NotExecuted" />
          </Results>
          <ResultSummary outcome="Completed">
            <Counters total="1" executed="0" passed="0" failed="0" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
          </ResultSummary>
        </TestRun>
        """;

    [Fact]
    public void TrxCountsAnXunitV3SkipAsSkipped()
    {
        var t = ResultTotals.FromTrx(XDocument.Parse(XunitV3SkipTrx));
        Assert.Equal((0, 0, 1), (t.Passed, t.Failed, t.Skipped));
    }

    [Fact]
    public void JUnitCountsKernelRunsNotChecksAndSeparatesXFail()
    {
        var t = ResultTotals.FromJUnit(XDocument.Parse(JUnit));
        Assert.Equal((1, 1, 1, 1), (t.Passed, t.Failed, t.Skipped, t.XFailed));
    }

    [Fact]
    public void ClosingLineIsThePlainFormCiReads()
    {
        var total = ResultTotals.FromTrx(XDocument.Parse(Trx)) + ResultTotals.FromJUnit(XDocument.Parse(JUnit));
        var w = new StringWriter();
        total.Write(w);
        var lines = w.ToString().TrimEnd().Split('\n');
        Assert.Equal("8 passed, 3 failed, 3 skipped", lines[^1]);
        Assert.Contains("1 xfail", lines[0]);
    }

    // Hand-written in the shape IpiJUnitWriter emits: one testcase per benchmark column.
    const string IpiJUnit = """
        <testsuites><testsuite name="runner ipi">
          <testcase classname="bench.ipi" name="xapic/w-ipiv"><failure message="1 of 1 runs failed" /></testcase>
        </testsuite></testsuites>
        """;

    [Fact]
    public void JUnitCountsBenchmarkColumns()
    {
        var t = ResultTotals.FromJUnit(XDocument.Parse(IpiJUnit));
        Assert.Equal((0, 1), (t.Passed, t.Failed));
    }

    static string Folder(params (string Name, string Text)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("totals-").FullName;
        foreach (var (name, text) in files)
            File.WriteAllText(Path.Combine(dir, name), text);
        return dir;
    }

    [Fact]
    public void AFailedStageWithNoFailedResultCountsAsOneFailure()
    {
        const string Passing = """<testsuites><testsuite name="runner ipi"><testcase classname="bench.ipi" name="xapic/w-ipiv" /></testsuite></testsuites>""";
        var dir = Folder(("apicv-inhibit.xml", Passing));
        try
        {
            var w = new StringWriter();
            var t = ResultTotals.FromDirectory(dir).WithStages(dir, [new StageExit("unit", 0), new StageExit("apicv-inhibit", 1)], w);
            Assert.Equal((1, 1), (t.Passed, t.Failed));
            Assert.Contains("stage apicv-inhibit exited 1", w.ToString());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AFailedStageWhoseFilesCountTheFailureIsNotCountedTwice()
    {
        var dir = Folder(("kernels-default.xml", JUnit), ("unit.trx", Trx));
        try
        {
            var w = new StringWriter();
            var before = ResultTotals.FromDirectory(dir);
            var t = before.WithStages(dir, [new StageExit("unit", 1), new StageExit("kernels-default", 1)], w);
            Assert.Equal(before, t);
            Assert.Equal("", w.ToString());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("unit")]
    [InlineData("unit=")]
    [InlineData("=1")]
    [InlineData("unit=x")]
    public void AMalformedStageIsAUserError(string text) =>
        Assert.Contains("expected NAME=STATUS", Assert.Throws<UserErrorException>(() => StageExit.Parse(text)).Message);

    [Fact]
    public void AStageNameMayHoldDashes() =>
        Assert.Equal(new StageExit("kernels-nested", 2), StageExit.Parse("kernels-nested=2"));

    [Fact]
    public void TheChecksOfTheIpiKernelAreNotCountedAsBenchmarkColumns()
    {
        const string IpiKernelChecks = """
            <testsuites><testsuite name="runner">
              <testcase classname="kernels" name="ipi" />
              <testcase classname="ipi" name="ipi.round_trip" />
            </testsuite></testsuites>
            """;
        Assert.Equal(1, ResultTotals.FromJUnit(XDocument.Parse(IpiKernelChecks)).Passed);
    }
}
