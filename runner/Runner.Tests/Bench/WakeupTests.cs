using System.Text.Json;
using Runner.Bench;
using Runner.Protocol;
using Runner.Reporting;

namespace Runner.Tests.Bench;

/// <summary>
/// `runner wakeup`'s analysis, table, JSON and compare, on recorded real output: the JSON of
/// `runner wakeup --runs 3 --json ...` on the kvm_pvm development machine (2026-12-02, QEMU
/// 7.2.22, 200 samples, gap 1000 us) and boot 1's serial log.
/// </summary>
public class WakeupTests
{
    static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "wakeup", name);

    static WakeupReport Recorded() => WakeupCompare.Load(FixturePath("kvm-pvm.json"));

    [Fact]
    public void RecordedLogParsesIntoTheSameRunAsTheRunnerKept()
    {
        var kept = Recorded().Columns[0].Runs[0];
        var verdict = VerdictJudge.Judge(new RunEvidence { Stdout = File.ReadAllLines(FixturePath("kvm-pvm-boot1.log")), ExitStatus = 1 });

        var run = WakeupAnalysis.FromRecords(1, verdict.Outcome, verdict.Reason, 0, [], null, verdict.Metrics, verdict.Checks, null);

        Assert.Equal("PASS", verdict.Outcome.Label());
        Assert.Equal(kept.Metrics, run.Metrics);
        Assert.Empty(run.Skipped);
        Assert.Empty(run.Failed);
        Assert.Equal(kept.Tsc, run.Tsc);
        Assert.True(run.Tsc.Synchronised);
        Assert.True(run.Tsc.OffsetLow <= 0 && run.Tsc.OffsetHigh >= 0);
        // Every send reached the handler once: the guest's own checks passed and said so.
        foreach (var s in WakeupAnalysis.AllSeries)
        {
            Assert.Contains(verdict.Checks, c => c.Name == $"wakeup.{s.Key}.at_most_once" && c.Outcome == CheckOutcome.Pass);
            Assert.Equal(run.Metric($"wakeup.{s.Key}.sent"), run.Metric($"wakeup.{s.Key}.samples"));
        }
        Assert.Contains(verdict.Checks, c => c.Name == "wakeup.tsc.check_ran" && c.Outcome == CheckOutcome.Pass);
    }

    [Fact]
    public void RowsAreRecomputedFromTheRawRuns()
    {
        var column = Recorded().Columns[0];

        var rows = WakeupAnalysis.Rows(column.Runs, [], null);

        Assert.Equal(JsonFiles.Serialize(column.Rows), JsonFiles.Serialize(rows));
        var halted = rows.Single(r => r.Source == "ipi" && r.State == "halted");
        Assert.Equal(column.Runs.Select(r => (double)r.Metric("wakeup.ipi.halted.median")!.Value), halted.MedianRuns);
        Assert.Equal(column.Runs.Min(r => r.Metric("wakeup.ipi.halted.min")!.Value), halted.Min);
    }

    [Fact]
    public void ABootWhoseTscsDisagreeGivesNoCrossCpuFigureButKeepsTheTimer()
    {
        // The recorded runs with their TSC check's verdict flipped (not a recording).
        var runs = Recorded().Columns[0].Runs.Select(r => r with { Tsc = r.Tsc with { Synchronised = false, OffsetLow = 500, OffsetHigh = 900 } }).ToList();
        var report = Recorded() with { Columns = [Recorded().Columns[0] with { Runs = runs, Rows = WakeupAnalysis.Rows(runs, [], null) }] };

        var table = WakeupTable.Build(report);

        Assert.StartsWith("TSC not synchronised [", table.Cell("IPI from CPU 0, target halted", 0));
        Assert.StartsWith("TSC not synchronised [", table.Cell("edu MSI (CPU 0's raise write), target running", 0));
        Assert.Matches(@"^[\d,]+ \([\d,]+-[\d,]+\)$", table.Cell("TSC-deadline timer (own, latency past deadline), target halted", 0));
        Assert.Contains(table.Footnotes, f => f.Contains("[500, 900]", StringComparison.Ordinal) && f.Contains("excludes 0", StringComparison.Ordinal));
        Assert.Contains("NOT synchronised in 3 of 3", WakeupTable.TscLine(runs));
    }

    [Fact]
    public void TableHasARowPerSeriesTheTimerOverheadAndSaysWhyASettingIsMissing()
    {
        var table = WakeupTable.Build(Recorded());

        Assert.Equal(WakeupAnalysis.AllSeries.Select(s => s.Label).Append(WakeupTable.TimerOverheadRow), table.Rows.Select(r => r.Label));
        Assert.Matches(@"^[\d,]+ \(min [\d,]+\)$", table.Cell(WakeupTable.TimerOverheadRow, 0));
        Assert.Contains("APICv/AVIC on\nn/a [", table.Headers[^1]);
        Assert.Contains(table.Footnotes, f => f.StartsWith("APICv/AVIC on: unavailable: ", StringComparison.Ordinal) && f.Contains("kvm_pvm"));
        Assert.Contains("\ncycles\n", table.Headers[1]);
        var report = Recorded() with { Settings = Recorded().Settings with { CyclesFromEmulator = true } };
        Assert.Contains("\nTCG cycles\n", WakeupTable.Build(report).Headers[1]);
    }

    [Fact]
    public void AContradictedColumnWithholdsEveryFigure()
    {
        var column = Recorded().Columns[0];

        var rows = WakeupAnalysis.Rows(column.Runs, [], "APICv/AVIC was active in the VM during the timed batch (run 1)");

        Assert.All(rows, r => Assert.Equal("contradicted", r.Why));
        Assert.All(rows, r => Assert.Null(r.Median));
    }

    [Fact]
    public void JsonRoundTripKeepsEverythingAndCompareWithItselfShowsNoChange()
    {
        var report = Recorded();
        Assert.Equal(JsonFiles.Serialize(report), JsonFiles.Serialize(JsonSerializer.Deserialize<WakeupReport>(JsonFiles.Serialize(report), JsonFiles.Options)));
        Assert.True(BenchReportFile.SchemaOf(FixturePath("kvm-pvm.json")) == WakeupReport.CurrentSchema);

        var result = WakeupCompare.Compare(report, report);

        Assert.Equal(6, result.Rows.Count(r => r.Missing is null));
        Assert.All(result.Rows.Where(r => r.Missing is null), r => Assert.Equal(0, r.ChangePercent));
        Assert.Contains(result.Rows, r => r.Missing == "unavailable in A");
    }

    [Fact]
    public void AFileThatIsNotAWakeupReportIsAOneLineError()
    {
        var e = Assert.Throws<UserErrorException>(() => WakeupCompare.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "vmexit", "kvm-pvm-hang.json")));
        Assert.Contains("is not ktest-wakeup/1", e.Message);
    }
}
