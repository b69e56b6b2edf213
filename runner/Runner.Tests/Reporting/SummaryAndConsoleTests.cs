using Runner.Cli;
using Runner.Host;
using Runner.Reporting;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

public class SummaryAndConsoleTests
{
    [Fact]
    public void SummaryCountsEachOutcomeOnce()
    {
        var s = RunSummary.Of(ResultFactory.Mixed());

        Assert.Equal(new RunSummary(Passed: 1, Failed: 2, Skipped: 1, XFail: 1, XPass: 0, Timeouts: 1), s);
        Assert.Equal("1 passed, 2 failed, 2 skipped", s.ClosingLine);
        Assert.Equal("1 xfail (counted as skipped), 0 xpass (checks), 1 timeout (counted as failed)", s.DetailLine);
    }

    [Fact]
    public void ConsoleLinesNameOutcomeAccelAndReason()
    {
        var text = Render(verbose: false);

        Assert.Contains("PASS    selftest (kvm, 1.23 s)\n", text);
        Assert.Contains("FAIL    tcg-msr (tcg, 1.23 s): 2 of 4 checks failed, first msr.reserved_read_gp: expected 0xd got 0xffffffffffffffff\n", text);
        Assert.Contains("SKIP    ipiv (not run): requires ipiv", text);
        Assert.Contains("XFAIL   xfail-msr (kvm, 1.23 s): 2 known host issues (tcg-reserved-msr-* ×2)\n", text);
        Assert.Contains("TIMEOUT hang (tcg, 20.00 s): no output", text);
        Assert.DoesNotContain("report.check_equal", text);
        Assert.EndsWith("1 passed, 2 failed, 2 skipped\n", text);
    }

    [Fact]
    public void VerboseListsEveryCheckAndMetric()
    {
        var text = Render(verbose: true);

        Assert.Contains("        pass  report.check_equal\n", text);
        Assert.Contains("        FAIL  msr.reserved_read_gp: expected 0xd got 0xffffffffffffffff\n", text);
        Assert.Contains("        XFAIL msr.reserved_read_gp: expected 0xd got 0xffffffffffffffff [known issue tcg-reserved-msr-read: TCG: no #GP]\n", text);
        // -v keeps the whole reason on the verdict line, as the log, JUnit and JSON do.
        Assert.Contains("XFAIL   xfail-msr (kvm, 1.23 s): msr.reserved_read_gp: TCG: no #GP; msr.reserved_write_gp: TCG: no #GP\n", text);
        Assert.Contains("FAIL    tcg-msr (tcg, 1.23 s): 2 of 4 checks failed: msr.reserved_read_gp: expected 0xd got 0xffffffffffffffff; msr.reserved_write_gp:", text);
        Assert.Contains("        skip  report.skip: deliberate skip", text);
        Assert.Contains("metric report.metric = -42 count", text);
    }

    [Fact]
    public void XPassIsShownEvenWithoutVerbose()
    {
        var r = ResultFactory.Judged("stale", Transcripts.SelftestPass, 1, c => c == "report.check" ? new Runner.Protocol.KnownIssue("was broken") : null);
        var w = new StringWriter();
        new ConsoleReporter(ConsoleFactory.Create(w), verbose: false).Result(r);
        Assert.Contains("XPASS report.check passed but tests/errata.cfg expects a failure here (was broken)", w.ToString());
    }

    [Fact]
    public void CapsReportExplainsMissingFeatures()
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")) with
        {
            Guest = new KvmGuestProbeResult("host,-arch-capabilities", "-cpu host does not boot here", SseOutcome.Faults, "KVM internal error (emulation failure)"),
        };
        var w = new StringWriter();
        CapsReport.Write(caps, w);
        var text = w.ToString();

        Assert.Contains("IPIv:                  unavailable — host KVM module is kvm_pvm, not kvm_intel; IPIv needs kvm_intel with enable_ipiv=Y on a CPU with IPI virtualization", text);
        Assert.Contains("SSE in KVM guest:      faults: KVM internal error (emulation failure) — guest code must stay SSE-free", text);
        Assert.Contains("KVM -cpu:              host,-arch-capabilities", text);
        Assert.Contains("  apicv:               kvm: no, tcg: no — host KVM module is kvm_pvm", text);
        Assert.Contains("errata facts:          backend=kvm_pvm vendor=amd", text);
    }

    static string Render(bool verbose)
    {
        var w = new StringWriter();
        var reporter = new ConsoleReporter(ConsoleFactory.Create(w), verbose);
        var results = ResultFactory.Mixed();
        foreach (var r in results) reporter.Result(r);
        reporter.Summary(RunSummary.Of(results));
        return w.ToString().Replace("\r\n", "\n");
    }
}
