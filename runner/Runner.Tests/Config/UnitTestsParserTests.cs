using Runner.Config;

namespace Runner.Tests.Config;

public class UnitTestsParserTests
{
    const string Good = """
        # comment line
        [selftest]
        file = selftest
        groups = base default
        timeout = 20

        [x2apic-ipi]
        file = apic
        smp = 4
        machine = q35
        append = apic=x2apic target=ipi iters=1000
        extra_params = -cpu 'host,+x2apic' -global "kvm-pit.lost_tick_policy=discard"
        groups = apic
        timeout = 2m
        accel = kvm
        requires = kvm x2apic pv-eoi
        """;

    [Fact]
    public void ParsesEveryKeyOfAGoodFile()
    {
        var entries = UnitTestsParser.Parse(Good, "tests/unittests.cfg");

        Assert.Equal(["selftest", "x2apic-ipi"], entries.Select(e => e.Name));
        var apic = entries[1];
        Assert.Equal("apic", apic.File);
        Assert.Equal(4, apic.Smp);
        Assert.Equal("q35", apic.Machine);
        Assert.Equal(["apic=x2apic", "target=ipi", "iters=1000"], apic.Append);
        Assert.Equal(["-cpu", "host,+x2apic", "-global", "kvm-pit.lost_tick_policy=discard"], apic.ExtraParams);
        Assert.Equal(["apic"], apic.Groups);
        Assert.Equal(TimeSpan.FromMinutes(2), apic.Timeout);
        Assert.Equal(AccelMode.Kvm, apic.Accel);
        Assert.Equal(["kvm", "x2apic", "pv-eoi"], apic.Requires);
        Assert.Equal(7, apic.Line);
    }

    [Fact]
    public void AppliesDefaults()
    {
        var e = UnitTestsParser.Parse("[solo]\n", "f.cfg").Single();

        Assert.Equal("solo", e.File);
        Assert.Equal(1, e.Smp);
        Assert.Equal("microvm", e.Machine);
        Assert.Equal(TimeSpan.FromSeconds(30), e.Timeout);
        Assert.Equal(AccelMode.Any, e.Accel);
        Assert.Empty(e.Append);
        Assert.Empty(e.ExtraParams);
        Assert.Empty(e.Requires);
    }

    [Fact]
    public void TheShippedTestListParses()
    {
        var path = Path.Combine(Support.Fixtures.RepoRoot(), "tests", "unittests.cfg");
        var entries = UnitTestsParser.ParseFile(path, "tests/unittests.cfg");
        Assert.Contains(entries, e => e.Name == "selftest" && e.Groups.Contains("default"));
    }

    [Theory]
    [InlineData("[a]\nsmpp = 2\n", 2, "unknown key 'smpp'")]
    [InlineData("[a]\nsmp = 0\n", 2, "smp = '0'")]
    [InlineData("[a]\nsmp = two\n", 2, "smp = 'two'")]
    [InlineData("[a]\n\n\naccel = hvf\n", 4, "accel = 'hvf': expected kvm, tcg or any")]
    [InlineData("[a]\ntimeout = soon\n", 2, "timeout = 'soon'")]
    [InlineData("[a]\ntimeout = 0\n", 2, "more than 0 seconds")]
    [InlineData("[a]\nrequires = kvm vtd\n", 2, "unknown capability 'vtd'")]
    [InlineData("[a]\nappend = x2apic\n", 2, "'x2apic' is not a key=value pair")]
    [InlineData("[a]\nappend = cpus=2\n", 2, "cpus= is set by the runner")]
    [InlineData("[a]\nextra_params = -cpu 'host\n", 2, "unterminated '")]
    [InlineData("[a]\n[a]\n", 2, "section [a] already defined at line 1")]
    [InlineData("[a]\nsmp = 1\nsmp = 2\n", 3, "key 'smp' given twice")]
    [InlineData("smp = 1\n", 1, "outside any section")]
    [InlineData("[a]\nsmp 2\n", 2, "expected 'key = value'")]
    [InlineData("[a\n", 1, "no closing ']'")]
    [InlineData("[a b]\n", 1, "bad section name")]
    [InlineData("[a]\nmachine = q 35\n", 2, "machine = 'q 35'")]
    [InlineData("[a]\ngroups = ok b@d\n", 2, "'b@d' is not a plain name")]
    public void RejectsBadInputNamingFileAndLine(string text, int line, string problem)
    {
        var e = Assert.Throws<ConfigErrorException>(() => UnitTestsParser.Parse(text, "tests/unittests.cfg"));

        Assert.Equal(line, e.Line);
        Assert.StartsWith($"tests/unittests.cfg:{line}: ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingFileIsAUserErrorNotACrash()
    {
        var e = Assert.Throws<UserErrorException>(() => UnitTestsParser.ParseFile("/nonexistent/unittests.cfg", "tests/unittests.cfg"));
        Assert.Contains("tests/unittests.cfg not found", e.Message);
    }

    [Fact]
    public void CrLfLineEndingsAreAccepted()
    {
        var e = UnitTestsParser.Parse("[a]\r\nsmp = 2\r\n", "f").Single();
        Assert.Equal(2, e.Smp);
    }
}
