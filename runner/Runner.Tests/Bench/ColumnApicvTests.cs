using Runner.Bench;
using Runner.Counters;
using Runner.Host;
using Runner.Protocol;

namespace Runner.Tests.Bench;

public class ColumnApicvTests
{
    static IpiRun Run(int index, ApicvObservation? o) => new() { Index = index, Outcome = Outcome.Pass, Used = true, Apicv = o };
    static ApicvObservation Active => new() { State = ApicvInVm.Active, MaskAtBegin = 0, Detail = "active" };
    static ApicvObservation Inhibited(params string[] why) => new() { State = ApicvInVm.Inhibited, MaskAtBegin = 0x200, Inhibits = why, Detail = "inhibited: " + string.Join(", ", why) };

    [Fact]
    public void AnInhibitSeenInAnyRunTakesTheNumbersOfAWithIpivColumn()
    {
        var j = ColumnApicv.Judge(new IpiColumn(ApicMode.XApic, true, Want.Any), [Run(1, Active), Run(2, Inhibited("PIT_REINJ"))]);
        Assert.True(j.Verified);
        Assert.StartsWith("inhibited: PIT_REINJ during the timed batch (run 2", j.Contradiction);
    }

    [Fact]
    public void AWithIpivColumnActiveInEveryRunIsVerified()
    {
        var j = ColumnApicv.Judge(new IpiColumn(ApicMode.XApic, true, Want.Any), [Run(1, Active), Run(2, Active)]);
        Assert.Null(j.Contradiction);
        Assert.True(j.Verified);
    }

    [Fact]
    public void ARunWithoutATraceLeavesTheColumnUnverifiedWithTheReason()
    {
        var j = ColumnApicv.Judge(new IpiColumn(ApicMode.XApic, true, Want.Any),
            [Run(1, Active), Run(2, ApicvObservation.Unverified("tracefs is not mounted"))]);
        Assert.Null(j.Contradiction);
        Assert.False(j.Verified);
        Assert.Contains("tracefs is not mounted", j.Detail);
    }

    [Fact]
    public void AnApicvOffColumnThatFoundItActiveIsContradicted()
    {
        var j = ColumnApicv.Judge(new IpiColumn(ApicMode.XApic, false, Want.Off), [Run(1, Active)]);
        Assert.Contains("active in the VM", j.Contradiction);
    }

    [Fact]
    public void AWithoutColumnThatTakesWhateverTheHostHasOnlyRecordsIt()
    {
        var j = ColumnApicv.Judge(new IpiColumn(ApicMode.XApic, false, Want.Any), [Run(1, Inhibited("DISABLED"))]);
        Assert.Null(j.Contradiction);
        Assert.Equal("off or inhibited in 1 run(s): DISABLED", j.Detail);
    }

    [Fact]
    public void AContradictedColumnHasNoNumbersInTheTableAndNoReduction()
    {
        var without = IpiFakes.Column(ApicMode.XApic, false, 100, 110);
        var with = IpiFakes.Column(ApicMode.XApic, true, 80, 90) with { Contradicted = "inhibited: PIT_REINJ during the timed batch (run 1)" };
        Assert.False(with.HasNumbers);
        var r = IpiAnalysis.Reductions([without, with], IpiKind.Unicast, KvmModules.Amd).Single();
        Assert.Null(r.Percent);
        Assert.Contains("PIT_REINJ", r.NotAvailable);
    }
}
