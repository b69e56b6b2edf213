using Runner.Bench;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Tests.Bench;

public class IpiAnalysisTests
{
    static readonly IpiColumn Xapic = new(ApicMode.XApic, false, Want.Any);

    [Fact]
    public void APassingRunCountsWithItsMetricsAndExitsPerIpi()
    {
        var run = IpiAnalysis.ToRun(IpiFakes.Run("xapic", 6106, 5000, exitsDuringBatch: 50, iters: 20), 3, Xapic, IpiTarget.Spin, IpiKind.Unicast);

        Assert.True(run.Used, run.Excluded);
        Assert.Equal(3, run.Index);
        Assert.Equal(Outcome.Pass, run.Outcome);
        Assert.Equal(6106, run.Metric("ipi.cycles.avg"));
        Assert.Equal(2445430000, run.Metric("tsc.hz"));
        Assert.Equal("xapic", run.Infos["ipi.apic"]);
        Assert.Equal(2.5, run.ExitsPerIpi);                  // 50 exits / 20 IPIs
        Assert.Equal(50, run.MeasureDelta!.Vcpu["exits"]);
        Assert.Equal(["baseline-begin", "baseline-end", "measure-begin", "measure-end"], run.Counters.Select(c => c.Tag));
    }

    [Fact]
    public void CountersUnavailableLeaveExitsEmptyWithTheReason()
    {
        var run = IpiAnalysis.ToRun(IpiFakes.Run("xapic", 6106, 5000, exitsDuringBatch: null), 1, Xapic, IpiTarget.Spin, IpiKind.Unicast);

        Assert.True(run.Used);
        Assert.Null(run.ExitsPerIpi);
        Assert.Equal("unavailable: no counters at the start (unavailable: QEMU < 7.1 has no query-stats)", run.MeasureDelta!.Unavailable);
        var stats = IpiAnalysis.ColumnStats([run])!;
        Assert.Null(stats.ExitsPerIpi);
        Assert.Equal(run.MeasureDelta.Unavailable, stats.ExitsUnavailable);
    }

    [Fact]
    public void FailedRunsAreExcludedWithTheirReason()
    {
        var run = IpiAnalysis.ToRun(IpiFakes.Failed("no output for 60 s (timeout 60 s)"), 2, Xapic, IpiTarget.Spin, IpiKind.Unicast);

        Assert.False(run.Used);
        Assert.Equal("TIMEOUT: no output for 60 s (timeout 60 s)", run.Excluded);
    }

    [Fact]
    public void ARunOfTheWrongConfigurationIsExcluded()
    {
        var wrongApic = IpiAnalysis.ToRun(IpiFakes.Run("x2apic", 6106, 5000), 1, Xapic, IpiTarget.Spin, IpiKind.Unicast);
        var wrongTarget = IpiAnalysis.ToRun(IpiFakes.Run("xapic", 6106, 5000, target: "halt"), 1, Xapic, IpiTarget.Spin, IpiKind.Unicast);

        Assert.Equal("the guest ran ipi.apic=x2apic, not xapic", wrongApic.Excluded);
        Assert.Equal("the guest ran ipi.target=halt, not spin", wrongTarget.Excluded);
    }

    [Fact]
    public void ColumnStatsUseOnlyTheRunsThatCount()
    {
        var runs = new[]
        {
            IpiAnalysis.ToRun(IpiFakes.Run("xapic", 6000, 5000, 20), 1, Xapic, IpiTarget.Spin, IpiKind.Unicast),
            IpiAnalysis.ToRun(IpiFakes.Failed("boom"), 2, Xapic, IpiTarget.Spin, IpiKind.Unicast),
            IpiAnalysis.ToRun(IpiFakes.Run("xapic", 6200, 5200, 60), 3, Xapic, IpiTarget.Spin, IpiKind.Unicast),
        };

        var s = IpiAnalysis.ColumnStats(runs)!;

        Assert.Equal(2, s.RunsUsed);
        Assert.Equal(1, s.RunsExcluded);
        Assert.Equal(6100, s.CSharp.Mean);
        Assert.Equal(5100, s.Asm!.Mean);
        Assert.Equal(2, s.ExitsPerIpi!.Mean);            // (1 + 3) / 2
        Assert.Equal(19000, s.TimerOverheadMedian);
        Assert.Equal(18000, s.TimerOverheadMin);
        // permille 6000*1000/5000 = 1200 and 6200*1000/5200 = 1192 -> mean 1.196
        Assert.Equal(1.196, s.CSharpOverAsm!.Value, 1e-9);
        Assert.Null(IpiAnalysis.ColumnStats([runs[1]]));
    }

    [Fact]
    public void ReductionIsNegativeWhenIpivSavesCycles()
    {
        var without = IpiFakes.Column(ApicMode.XApic, false, 6000, 6100, 6077);
        var with = IpiFakes.Column(ApicMode.XApic, true, 4700, 4750, 4689);

        var r = IpiAnalysis.Reductions([without, with]).Single();

        // means 6059 and 4713: (4713 - 6059) / 6059 = -22.214%
        Assert.Equal((4713.0 - 6059) / 6059 * 100, r.Percent!.Value, 1e-9);
        Assert.True(r.Significant);
        Assert.True(r.WelchT < 0);
        Assert.Null(r.NotAvailable);
    }

    [Fact]
    public void ReductionNeedsBothColumns()
    {
        var without = IpiFakes.Column(ApicMode.X2Apic, false, 4265, 4300);
        var with = IpiFakes.Unavailable(ApicMode.X2Apic, true, "needs kvm_intel");

        var r = IpiAnalysis.Reductions([without, with]).Single();

        Assert.Null(r.Percent);
        Assert.Equal("w/ IPIv is unavailable", r.NotAvailable);
        Assert.Equal("w/ IPIv was not measured (--no-ipiv)", IpiAnalysis.Reductions([without]).Single().NotAvailable);
    }

    [Fact]
    public void AutoIterationsFitTheBudgetFromTheSlowestCalibrationFigure()
    {
        var calibration = new Dictionary<string, long>
        {
            ["ipi.cycles.avg"] = 2_000_000, ["ipi.asm.cycles.avg"] = 1_000_000,
            ["ipi.cycles.median"] = 2_445_430, ["ipi.asm.cycles.median"] = 900_000, ["tsc.hz"] = 2_445_430_000,
        };

        // slowest 2,445,430 cycles at 2.44543 GHz = 1 ms per round trip; 0.6 s / 1 ms / 4.4 = 136.4 -> 136
        var (iters, warmup, why) = IpiAnalysis.AutoIterations(calibration, 0.6);

        Assert.Equal(136, iters);
        Assert.Equal(13, warmup);
        Assert.Contains("2,445,430 cycles per round trip", why);
    }

    [Fact]
    public void AutoIterationsAreClamped()
    {
        var fast = new Dictionary<string, long> { ["ipi.cycles.avg"] = 5000, ["tsc.hz"] = 2_500_000_000 };
        var slow = new Dictionary<string, long> { ["ipi.cycles.avg"] = 5_000_000_000, ["tsc.hz"] = 2_500_000_000 };

        Assert.Equal(10_000, IpiAnalysis.AutoIterations(fast, 0.6).Iterations);
        Assert.Equal(1000, IpiAnalysis.AutoIterations(fast, 0.6).Warmup);
        Assert.Equal(10, IpiAnalysis.AutoIterations(slow, 0.6).Iterations);
        Assert.Equal(5, IpiAnalysis.AutoIterations(slow, 0.6).Warmup);
        Assert.Throws<InvalidDataException>(() => IpiAnalysis.AutoIterations(new Dictionary<string, long> { ["tsc.hz"] = 1 }, 0.6));
    }
}
