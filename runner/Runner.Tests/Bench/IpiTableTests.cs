using Runner.Bench;

namespace Runner.Tests.Bench;

/// <summary>The patch-style table's cells, from reports built by hand.</summary>
public class IpiTableTests
{
    static IpiReport FourColumns() => IpiFakes.Report(3,
        IpiFakes.Column(ApicMode.XApic, false, 6000, 6100, 6077),
        IpiFakes.Column(ApicMode.XApic, true, 4700, 4750, 4689),
        IpiFakes.Column(ApicMode.X2Apic, false, 4265, 4300, 4448),
        IpiFakes.Unavailable(ApicMode.X2Apic, true, "needs kvm_intel with enable_ipiv=Y; this host's KVM module is kvm_pvm"));

    [Fact]
    public void OneRowPerRunAndTheStatisticRows()
    {
        var t = IpiTable.CSharp(FourColumns());

        Assert.Equal(["1", "2", "3", "Average", "Median", "Stdev", "CV %", "95% CI ±", "%Reduction", "Welch t-test", "runs used", "timer overhead", "C# / asm"],
            t.Rows.Select(r => r.Label));
        // test | xAPIC w/o cycles, exits | xAPIC w/ cycles, exits | x2APIC w/o cycles, exits | x2APIC w/ (unavailable)
        Assert.Equal(8, t.Headers.Count);
        Assert.Equal("6,000", t.Cell("1", 0));
        Assert.Equal("2.00", t.Cell("1", 1));               // 40 exits / 20 IPIs
        Assert.Equal("4,689", t.Cell("3", 2));
        Assert.Equal("6,059", t.Cell("Average", 0));        // (6000 + 6100 + 6077) / 3
        Assert.Equal("4,713", t.Cell("Average", 2));
        Assert.Equal("6,077", t.Cell("Median", 0));
        Assert.Equal("4,337.67", t.Cell("Average", 4));     // (4265 + 4300 + 4448) / 3
    }

    [Fact]
    public void ReductionSitsUnderTheWithIpivColumnRoundedLikeThePatch()
    {
        var t = IpiTable.CSharp(FourColumns());

        // (4713 - 6059) / 6059 = -22.2149...%
        Assert.Equal("-22.21%", t.Cell("%Reduction", 2));
        Assert.Equal("", t.Cell("%Reduction", 0));
        Assert.Equal("n/a: w/ IPIv is unavailable", t.Cell("%Reduction", 6));
        Assert.StartsWith("significant (t=-", t.Cell("Welch t-test", 2));
    }

    [Fact]
    public void AnUnavailableColumnHasItsReasonAndNoNumbers()
    {
        var t = IpiTable.CSharp(FourColumns());

        Assert.Equal("x2APIC\nw/ IPIv\nunavailable [1]", t.Headers[7]);
        Assert.Equal(["x2APIC w/ IPIv: unavailable: needs kvm_intel with enable_ipiv=Y; this host's KVM module is kvm_pvm"], t.Footnotes);
        foreach (var row in t.Rows.Where(r => r.Label != "%Reduction"))
            Assert.Equal("", row.Cells[6]);
    }

    [Fact]
    public void StatisticsRowsAreHandComputed()
    {
        var t = IpiTable.CSharp(FourColumns());

        // xAPIC w/o: 6000 6100 6077, mean 6059, deviations -59 41 18: sum of squares 3481+1681+324 = 5486;
        // stdev sqrt(2743) = 52.37; CV 0.8644 %; CI 4.303 * 52.374 / sqrt(3) = 130.11, shown whole (a spread of 100 or more)
        Assert.Equal("52.37", t.Cell("Stdev", 0));
        Assert.Equal("0.86", t.Cell("CV %", 0));
        Assert.Equal("130", t.Cell("95% CI ±", 0));
        Assert.Equal("3/3", t.Cell("runs used", 0));
        Assert.Equal("19,000", t.Cell("timer overhead", 0));
        // csharp / asm: asm is 9/10 of csharp in the fakes, so 1.11x (permille rounded down)
        Assert.Equal("1.11x", t.Cell("C# / asm", 0));
    }

    [Fact]
    public void FailedRunsAreMarkedInTheirRowAndLeftOutOfTheStatistics()
    {
        var col = IpiFakes.Column(ApicMode.XApic, false, 6000, 6100);
        var failed = IpiAnalysis.ToRun(IpiFakes.Failed("no output for 60 s"), 3, new IpiColumn(ApicMode.XApic, false, Runner.Host.Want.Any), IpiTarget.Spin, IpiKind.Unicast);
        col = col with { Runs = [.. col.Runs, failed] };
        col = col with { Stats = IpiAnalysis.ColumnStats(col.Runs) };

        var t = IpiTable.CSharp(IpiFakes.Report(3, col));

        Assert.Equal("(TIMEOUT)", t.Cell("3", 0));
        Assert.Equal("6,050", t.Cell("Average", 0));
        Assert.Equal("2/3", t.Cell("runs used", 0));
    }

    [Fact]
    public void AColumnWhoseRunsAllFailedSaysWhy()
    {
        var failed = IpiAnalysis.ToRun(IpiFakes.Failed("KVM internal error"), 1, new IpiColumn(ApicMode.XApic, false, Runner.Host.Want.Any), IpiTarget.Spin, IpiKind.Unicast);
        var col = IpiFakes.Unavailable(ApicMode.XApic, false, "x") with { Unavailable = null, Runs = [failed], Stats = null };

        var t = IpiTable.CSharp(IpiFakes.Report(1, col));

        Assert.Equal("xAPIC\nw/o IPIv\nno result [1]", t.Headers[1]);
        Assert.Equal("xAPIC w/o IPIv: no result: all 1 runs failed; first: run 1: TIMEOUT: KVM internal error", t.Footnotes[0]);
    }

    [Fact]
    public void AsmTableHasTheReferenceFigures()
    {
        var t = IpiTable.Asm(FourColumns());

        Assert.Equal(5, t.Headers.Count);                    // test + three measured + one unavailable
        Assert.Equal("5,400", t.Cell("1", 0));               // 6000 * 9 / 10
        Assert.Equal("5,453", t.Cell("Average", 0));
        // asm runs 5400 5490 5469 (mean 5453) and 4230 4275 4220 (mean 4241.67): -22.214%
        Assert.Equal("-22.21%", t.Cell("%Reduction", 1));
        Assert.DoesNotContain(t.Rows, r => r.Label == "Welch t-test");
    }
}
