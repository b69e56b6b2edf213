using Runner.Bench;
using Runner.Host;

namespace Runner.Tests.Bench;

public class IpivApplicabilityTests
{
    [Theory]
    [InlineData(IpiKind.Broadcast, "destination shorthand")]
    [InlineData(IpiKind.Self, "self shorthand")]
    [InlineData(IpiKind.Pv, "hypercall")]
    public void IntelIpivCannotActOnShorthandIpis(IpiKind kind, string why) =>
        Assert.Contains(why, IpivApplicability.WhyNot(kind, KvmModules.Intel));

    [Theory]
    [InlineData(IpiKind.Unicast, KvmModules.Intel)]
    [InlineData(IpiKind.Unicast, KvmModules.Amd)]
    [InlineData(IpiKind.Broadcast, KvmModules.Amd)]
    public void FixedPhysicalUnicastAndAvicKindsApply(IpiKind kind, string backend) =>
        Assert.Null(IpivApplicability.WhyNot(kind, backend));

    [Fact]
    public void TheComparisonOfAKindIpivCannotTouchReadsTheReason()
    {
        var columns = new[] { IpiFakes.Column(ApicMode.XApic, false, 100, 110), IpiFakes.Column(ApicMode.XApic, true, 80, 90) };
        var r = IpiAnalysis.Reductions(columns, IpiKind.Broadcast, KvmModules.Intel).Single();
        Assert.Null(r.Percent);
        Assert.StartsWith("IPIv does not apply to broadcast", r.NotAvailable);
        Assert.NotNull(IpiAnalysis.Reductions(columns, IpiKind.Unicast, KvmModules.Intel).Single().Percent);
    }
}
