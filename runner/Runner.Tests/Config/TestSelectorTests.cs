using Runner.Config;

namespace Runner.Tests.Config;

public class TestSelectorTests
{
    static readonly IReadOnlyList<TestEntry> All = UnitTestsParser.Parse("""
        [selftest]
        groups = base default
        [cpuid]
        groups = base
        [ipi]
        groups = apic
        """, "f");

    [Fact]
    public void NoNamesNoGroupSelectsAllInConfigOrder() =>
        Assert.Equal(["selftest", "cpuid", "ipi"], TestSelector.Select(All, [], null).Select(e => e.Name));

    [Fact]
    public void NamesKeepConfigOrder() =>
        Assert.Equal(["selftest", "ipi"], TestSelector.Select(All, ["ipi", "selftest"], null).Select(e => e.Name));

    [Fact]
    public void GroupFilters() =>
        Assert.Equal(["selftest", "cpuid"], TestSelector.Select(All, [], "base").Select(e => e.Name));

    [Fact]
    public void UnknownNameListsValidNames()
    {
        var e = Assert.Throws<UserErrorException>(() => TestSelector.Select(All, ["selftset"], null));
        Assert.Equal("unknown test 'selftset': valid names are selftest, cpuid, ipi", e.Message);
    }

    [Fact]
    public void UnknownGroupListsValidGroups()
    {
        var e = Assert.Throws<UserErrorException>(() => TestSelector.Select(All, [], "x2apic"));
        Assert.Equal("unknown group 'x2apic': valid groups are apic, base, default", e.Message);
    }

    [Fact]
    public void EmptyIntersectionIsAnError()
    {
        var e = Assert.Throws<UserErrorException>(() => TestSelector.Select(All, ["ipi"], "base"));
        Assert.Contains("is in group 'base'", e.Message);
    }
}
