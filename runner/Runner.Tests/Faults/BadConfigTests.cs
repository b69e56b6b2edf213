using Runner.Config;
using Runner.Tests.Support;

namespace Runner.Tests.Faults;

/// <summary>Config values that could never work fail at parse time with file:line and the valid values.</summary>
public class BadConfigTests
{
    static ConfigErrorException UnitTestsError(string text) =>
        Assert.Throws<ConfigErrorException>(() => UnitTestsParser.Parse(text, "tests/unittests.cfg"));

    [Fact]
    public void HugeTimeoutIsAFileLineError()
    {
        var e = UnitTestsError("[selftest]\ntimeout = 99999999999h\n");
        Assert.Equal("tests/unittests.cfg:2: timeout = '99999999999h': at most 24h (86400 s)", e.Message);
    }

    [Fact]
    public void MoreVcpusThanTheKernelsSupportIsAFileLineError()
    {
        var e = UnitTestsError("[smp-288]\nfile = smp\nsmp = 288\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("at most 64 vCPUs", e.Message);
    }

    /// <summary>The runner's limit is the kernels' own: MAX_CPUS in the boot layer and PerCpu.MaxCpus in the guest library.</summary>
    [Fact]
    public void VcpuLimitIsTheKernelsOwn()
    {
        var root = Fixtures.RepoRoot();
        var layout = File.ReadAllText(Path.Combine(root, "kernel", "boot", "layout.inc"));
        var perCpu = File.ReadAllText(Path.Combine(root, "kernel", "lib", "PerCpu.cs"));
        Assert.Matches($@"%define MAX_CPUS\s+{GuestLimits.MaxCpus}\b", layout);
        Assert.Matches($@"const int MaxCpus = {GuestLimits.MaxCpus};", perCpu);
    }

    static ConfigErrorException ErrataError(string when) =>
        Assert.Throws<ConfigErrorException>(() => ErrataParser.Parse($"[e]\ntest = selftest\ncheck = x\nwhen = {when}\nreason = r\n", "tests/errata.cfg"));

    [Theory]
    [InlineData("backend=kvm_foo", "unknown backend 'kvm_foo': known are kvm_intel, kvm_amd, kvm_pvm, none")]
    [InlineData("accel=kvm|", "accel=kvm| has an empty alternative")]
    [InlineData("vendor!=via", "unknown vendor 'via': known are intel, amd, other")]
    [InlineData("l1=maybe", "unknown l1 'maybe'")]
    public void UnknownConditionValueIsAFileLineError(string when, string expected)
    {
        var e = ErrataError(when);
        Assert.Equal(4, e.Line);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ErratumForNoTestIsAFileLineErrorListingTheTests()
    {
        var tests = UnitTestsParser.Parse("[selftest]\n[apic-xapic]\nfile = apic\n", "u");
        var errata = ErrataParser.Parse("[e]\nreason = r\ncheck = x\ntest = apic-* nosuchtest\n", "tests/errata.cfg");
        var e = Assert.Throws<ConfigErrorException>(() => ErrataParser.CheckTests(errata, tests, "tests/errata.cfg"));
        Assert.Equal("tests/errata.cfg:4: test = 'nosuchtest' in [e] matches no test in unittests.cfg: tests are selftest, apic-xapic", e.Message);
    }

    /// <summary>The shipped files pass the same checks (a stale erratum would fail here first).</summary>
    [Fact]
    public void ShippedErrataNameRealTests()
    {
        var root = Fixtures.RepoRoot();
        var tests = UnitTestsParser.ParseFile(Path.Combine(root, "tests", "unittests.cfg"), "tests/unittests.cfg");
        ErrataParser.ParseFile(Path.Combine(root, "tests", "errata.cfg"), "tests/errata.cfg", tests);
    }
}
