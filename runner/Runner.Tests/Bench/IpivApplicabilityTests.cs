using Runner.Bench;
using Runner.Host;

namespace Runner.Tests.Bench;

public class IpivApplicabilityTests
{
    [Theory]
    [InlineData("broadcast", "destination shorthand")]
    [InlineData("self", "self shorthand")]
    [InlineData("pv", "hypercall")]
    public void IntelIpivCannotActOnShorthandIpis(string kind, string why) =>
        Assert.Contains(why, IpivApplicability.WhyNot(kind, KvmModules.Intel));

    [Theory]
    [InlineData("unicast", KvmModules.Intel)]
    [InlineData("unicast", KvmModules.Amd)]
    [InlineData("broadcast", KvmModules.Amd)]
    public void FixedPhysicalUnicastAndAvicKindsApply(string kind, string backend) =>
        Assert.Null(IpivApplicability.WhyNot(kind, backend));

    [Fact]
    public void TheComparisonOfAKindIpivCannotTouchReadsTheReason()
    {
        var columns = new[] { IpiFakes.Column(ApicMode.XApic, false, 100, 110), IpiFakes.Column(ApicMode.XApic, true, 80, 90) };
        var r = IpiAnalysis.Reductions(columns, "broadcast", KvmModules.Intel).Single();
        Assert.Null(r.Percent);
        Assert.StartsWith("IPIv does not apply to broadcast", r.NotAvailable);
        Assert.NotNull(IpiAnalysis.Reductions(columns, "unicast", KvmModules.Intel).Single().Percent);
    }
}
