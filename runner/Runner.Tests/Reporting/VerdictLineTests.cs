using Runner.Config;
using Runner.Protocol;
using Runner.Reporting;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>The one-line verdict: a recorded kvm_pvm apic run judged with the shipped errata, and the grouping rule.</summary>
public class VerdictLineTests
{
    static Verdict JudgeRecordedApicRun()
    {
        var stdout = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "transcripts", "apic-xapic-kvm-pvm.txt"));
        var errata = ErrataParser.ParseFile(Path.Combine(Fixtures.RepoRoot(), "tests", "errata.cfg"), "tests/errata.cfg");
        var facts = new ConditionFacts("kvm_pvm", "kvm", "amd", new Version(7, 2, 22)) { Kernel = new Version(6, 18, 44), L1 = "none" };
        return VerdictJudge.Judge(new RunEvidence { Stdout = stdout, ExitStatus = 3, ExpectedCpus = 2 },
            check => errata.FirstOrDefault(e => e.Matches("apic-xapic", check, facts))?.AsKnownIssue);
    }

    [Fact]
    public void TheApicXfailIsOneShortLineNamingItsErrataGroups()
    {
        var v = JudgeRecordedApicRun();

        Assert.Equal(Outcome.XFail, v.Outcome);
        Assert.Equal("12 known host issues (kvm-lvt-delivery-status, kvm-pvm-isr-* ×11)", VerdictLine.Short(v));
        // The whole story stays in the verdict for -v, the log, JUnit and JSON.
        Assert.True(v.Reason.Length > 1000, $"full reason only {v.Reason.Length} characters");
        Assert.Contains("kvm_pvm never sets the in-service register", v.Reason);
    }

    [Fact]
    public void AFailNamesTheFirstFailedCheckAndHowManyFailed()
    {
        // Hand-written verdict: three failed checks among five judged ones.
        var v = new Verdict(Outcome.Fail, "3 of 5 checks failed: a.one: x; a.two: y; a.three: z")
        {
            Checks =
            [
                new CheckResult("a.ok", CheckOutcome.Pass, ""),
                new CheckResult("a.one", CheckOutcome.Fail, "expected 1 got 2"),
                new CheckResult("a.two", CheckOutcome.Fail, "y"),
                new CheckResult("a.skip", CheckOutcome.Skip, "not here"),
                new CheckResult("a.ok2", CheckOutcome.Pass, ""),
                new CheckResult("a.three", CheckOutcome.Fail, "z"),
            ],
        };

        Assert.Equal("3 of 5 checks failed, first a.one: expected 1 got 2", VerdictLine.Short(v));
    }

    [Fact]
    public void GroupsShareAThreeWordPrefixAndCountTheirChecks()
    {
        Assert.Equal(["kvm-pvm-isr-* ×3", "kvm-x2apic-eoi-nonzero", "tcg-apic-reenable* ×2"],
            VerdictLine.Groups(["kvm-pvm-isr-irq", "kvm-pvm-isr-nested-outer", "kvm-x2apic-eoi-nonzero", "kvm-pvm-isr-irq", "tcg-apic-reenable", "tcg-apic-reenable-cpuid"]));
        Assert.Equal(["kvm-pvm-late-timer ×4"], VerdictLine.Groups(["kvm-pvm-late-timer", "kvm-pvm-late-timer", "kvm-pvm-late-timer", "kvm-pvm-late-timer"]));
    }

    [Fact]
    public void ManyGroupsAndLongReasonsAreCapped()
    {
        var ids = Enumerable.Range(0, 30).Select(i => $"host-bug-number{i:00}-with-a-long-name").ToList();
        var v = new Verdict(Outcome.XFail, "long")
        {
            Checks = ids.Select(id => new CheckResult($"c.{id}", CheckOutcome.XFail, "d", "r") { ErratumId = id }).ToList(),
        };
        var line = VerdictLine.Short(v);
        var timeout = VerdictLine.Short(new Verdict(Outcome.Timeout, new string('x', 500)));

        Assert.StartsWith("30 known host issues (host-bug-number00-with-a-long-name, ", line);
        Assert.EndsWith(", …)", line);
        Assert.True(line.Length <= VerdictLine.MaxReason, line);
        Assert.Equal(VerdictLine.MaxReason, timeout.Length);
        Assert.EndsWith("…", timeout);
    }
}
