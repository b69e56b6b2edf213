using Runner.Config;

namespace Runner.Tests.Config;

public class ErrataTests
{
    static readonly ConditionFacts PvmKvm = new("kvm_pvm", "kvm", "amd", new Version(7, 2, 22));
    static readonly ConditionFacts IntelTcg = new("kvm_intel", "tcg", "intel", new Version(9, 1));

    const string Text = """
        # known issues
        [tcg-reserved-msr]
        test = selftest
        check = msr.reserved_*
        when = accel=tcg
        reason = TCG does not raise #GP for reserved MSRs

        [pvm-tsc]
        test = *
        check = timer.tsc_deadline
        when = backend=kvm_pvm|kvm_amd accel!=tcg qemu<8.0
        reason = kvm_pvm traps rdtsc
        """;

    [Fact]
    public void ParsesEntries()
    {
        var errata = ErrataParser.Parse(Text, "tests/errata.cfg");

        Assert.Equal(2, errata.Count);
        Assert.Equal("tcg-reserved-msr", errata[0].Id);
        Assert.Equal("msr.reserved_*", errata[0].CheckPattern);
        Assert.Equal("TCG does not raise #GP for reserved MSRs", errata[0].Reason);
        Assert.Equal(8, errata[1].Line);
    }

    [Fact]
    public void IntermittentIsOptionalAndCarriedToTheKnownIssue()
    {
        var errata = ErrataParser.Parse(Text + "\n[late]\ntest = apic-*\ncheck = apic.*median_*\nintermittent = yes\nreason = late now and then\n", "e");

        Assert.False(errata[0].Intermittent);
        Assert.True(errata[2].Intermittent);
        Assert.Equal(new Runner.Protocol.KnownIssue("late now and then", true, "late"), errata[2].AsKnownIssue);
    }

    [Fact]
    public void MatchesOnTestCheckGlobAndCondition()
    {
        var msr = ErrataParser.Parse(Text, "e")[0];

        Assert.True(msr.Matches("selftest", "msr.reserved_read_gp", IntelTcg));
        Assert.False(msr.Matches("selftest", "msr.reserved_read_gp", PvmKvm));
        Assert.False(msr.Matches("selftest", "msr.valid_read_back", IntelTcg));
        Assert.False(msr.Matches("cpuid", "msr.reserved_read_gp", IntelTcg));
    }

    [Fact]
    public void ConditionsCombineAlternativesNegationAndVersions()
    {
        var tsc = ErrataParser.Parse(Text, "e")[1];

        Assert.True(tsc.Matches("apic", "timer.tsc_deadline", PvmKvm));
        Assert.False(tsc.Matches("apic", "timer.tsc_deadline", PvmKvm with { Accel = "tcg" }));
        Assert.False(tsc.Matches("apic", "timer.tsc_deadline", PvmKvm with { Qemu = new Version(8, 0) }));
        Assert.False(tsc.Matches("apic", "timer.tsc_deadline", PvmKvm with { Qemu = null }));
        Assert.True(tsc.Matches("apic", "timer.tsc_deadline", PvmKvm with { Backend = "kvm_amd" }));
        Assert.False(tsc.Matches("apic", "timer.tsc_deadline", PvmKvm with { Backend = "kvm_intel" }));
    }

    [Fact]
    public void SeveralCheckGlobsShareOneCause()
    {
        var e = ErrataParser.Parse("[tpr]\ntest = apic-*\ncheck = apic.reg.tpr_rw apic.ppr.*\nwhen = backend=kvm_amd\nreason = r\n", "e")[0];
        var amd = PvmKvm with { Backend = "kvm_amd" };
        Assert.True(e.Matches("apic-xapic", "apic.reg.tpr_rw", amd));
        Assert.True(e.Matches("apic-xapic", "apic.ppr.tpr_above_isrv", amd));
        Assert.False(e.Matches("apic-xapic", "apic.reg.ldr_rw", amd));

        var both = ErrataParser.Parse("[x]\ntest = irqload* pveoi*\ncheck = c\nreason = r\n", "e")[0];
        Assert.True(both.Matches("pveoi", "c", amd));
        Assert.True(both.Matches("irqload-msi", "c", amd));
        Assert.False(both.Matches("apic-xapic", "c", amd));
    }

    [Theory]
    [InlineData("6.12.117+deb12-amd64", "kernel>=6.10", true)]
    [InlineData("6.1.0-57-amd64", "kernel>=6.10", false)]
    [InlineData("6.1.0-57-amd64", "kernel=6.1", true)]
    [InlineData("6.12.117+deb12-amd64", "kernel=6.1", false)]
    [InlineData("unknown", "kernel>=6.1", false)]
    public void KernelTermsCompareTheReleasesVersion(string release, string when, bool expected)
    {
        var facts = PvmKvm with { Kernel = ConditionFacts.KernelVersion(release) };
        Assert.Equal(expected, HostCondition.Parse(when).Holds(facts));
    }

    [Theory]
    [InlineData("tcg", "l1=tcg", true)]
    [InlineData("none", "l1=tcg", false)]
    [InlineData("kvm", "l1!=none", true)]
    public void L1TermsNameHowTheL1HostRuns(string l1, string when, bool expected) =>
        Assert.Equal(expected, HostCondition.Parse(when).Holds(PvmKvm with { L1 = l1 }));

    [Theory]
    [InlineData("vendor=intel", true)]
    [InlineData("vendor!=intel", false)]
    [InlineData("qemu>=9.1", true)]
    [InlineData("qemu=9.1.0", true)]
    [InlineData("qemu>9.1", false)]
    [InlineData("qemu<=9", false)]
    [InlineData("", true)]
    public void EvaluatesSingleTerms(string when, bool expected)
    {
        Assert.Equal(expected, HostCondition.Parse(when).Holds(IntelTcg));
    }

    [Theory]
    [InlineData("[e]\ntest = a\ncheck = b\n", "no 'reason'")]
    [InlineData("[e]\ncheck = b\nreason = r\n", "no 'test'")]
    [InlineData("[e]\ntest = a\ncheck = b\nreason = r\nwhy = x\n", "unknown key 'why'")]
    [InlineData("[e]\ntest = a\ncheck = b\nreason = r\nwhen = cpu=intel\n", "unknown key 'cpu'")]
    [InlineData("[e]\ntest = a\ncheck = b\nreason = r\nwhen = backend\n", "'backend' is not key=value")]
    [InlineData("[e]\ntest = a\ncheck = b\nreason = r\nwhen = backend<kvm\n", "backend takes = or !=")]
    [InlineData("[e]\ntest = a\ncheck = b\nreason = r\nwhen = qemu<eight\n", "expected a version")]
    [InlineData("[e]\ntest = a\ncheck =\nreason = r\n", "check is empty")]
    [InlineData("[e]\ntest = a\ncheck = b\nreason = r\nintermittent = maybe\n", "intermittent is 'maybe' in [e]: write yes or no")]
    public void RejectsBadEntries(string text, string problem)
    {
        var e = Assert.Throws<ConfigErrorException>(() => ErrataParser.Parse(text, "tests/errata.cfg"));
        Assert.StartsWith("tests/errata.cfg:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void TheShippedErrataFileParsesAndDocumentsItsFormat()
    {
        var path = Path.Combine(Support.Fixtures.RepoRoot(), "tests", "errata.cfg");
        Assert.True(File.Exists(path), "tests/errata.cfg must exist");
        ErrataParser.ParseFile(path, "tests/errata.cfg");
        var text = File.ReadAllText(path);
        foreach (var key in ErrataParser.KnownKeys)
            Assert.Contains($"{key} =", text);
    }

    [Fact]
    public void MissingErrataFileMeansNoErrata()
    {
        Assert.Empty(ErrataParser.ParseFile("/nonexistent/errata.cfg", "tests/errata.cfg"));
    }

    [Theory]
    [InlineData("msr.*", "msr.reserved_read_gp", true)]
    [InlineData("msr.*", "cpuid.msr", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("a.c", "abc", false)]
    [InlineData("exact", "exact", true)]
    public void GlobMatchesWholeNames(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Glob.IsMatch(pattern, text));
    }
}
