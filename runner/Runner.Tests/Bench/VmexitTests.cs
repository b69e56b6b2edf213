using System.Text.Json;
using Runner.Bench;
using Runner.Protocol;
using Runner.Reporting;

namespace Runner.Tests.Bench;

/// <summary>
/// `runner vmexit`'s analysis, table, JSON and compare, on recorded real output: the JSON of
/// `runner vmexit cpuid vmcall vmmcall mov_from_cr8 self_ipi_sti_nop --runs 2 --batches 4
/// --ops 16` on the kvm_pvm development machine (boot 1 hung in vmmcall and timed out; boot 2
/// ran with skip=vmmcall), and boot 2's serial log.
/// </summary>
public class VmexitTests
{
    static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "vmexit", name);

    static VmexitReport Recorded() => VmexitCompare.Load(FixturePath("kvm-pvm-hang.json"));

    [Fact]
    public void RecordedLogParsesIntoTheSameRunAsTheRunnerKept()
    {
        var report = Recorded();
        var kept = report.Columns[0].Runs[1];
        var lines = File.ReadAllLines(FixturePath("kvm-pvm-boot2.log"));
        var verdict = VerdictJudge.Judge(new RunEvidence { Stdout = lines, ExitStatus = 1 });

        var run = VmexitAnalysis.FromRecords(2, verdict.Outcome, verdict.Reason, 0, [], null,
            verdict.Metrics, verdict.Infos, verdict.Checks, kept.Counters, completed: true, leftOut: ["vmmcall"]);

        Assert.Equal("PASS", verdict.Outcome.Label());
        Assert.Equal(["cpuid", "vmcall", "vmmcall", "mov_from_cr8", "self_ipi_sti_nop"], run.CasesStarted);
        Assert.Equal(["vmcall", "vmmcall"], run.Skipped.Keys);
        Assert.StartsWith("left out by skip=", run.Skipped["vmmcall"]);
        Assert.Empty(run.Failed);
        Assert.Null(run.Hung);
        Assert.Equal(kept.Metrics, run.Metrics);
        Assert.Equal(kept.BaselineExits, run.BaselineExits);
        Assert.Equal(kept.BaselineEndExits, run.BaselineEndExits);
    }

    [Fact]
    public void AKnownLostWakeUpIsNoFailureButItsCaseGivesNoFigureFromThatBoot()
    {
        var lines = File.ReadAllLines(FixturePath("kvm-pvm-lost-wakeup.log"));
        var errata = Runner.Config.ErrataParser.ParseFile(Path.Combine(Support.Fixtures.RepoRoot(), "tests", "errata.cfg"), "tests/errata.cfg");
        var facts = new Runner.Config.ConditionFacts("kvm_pvm", "kvm", "amd", Version.Parse("7.2.22"));
        var verdict = VerdictJudge.Judge(new RunEvidence { Stdout = lines, ExitStatus = 3 },
            check => errata.FirstOrDefault(e => e.Matches("vmexit", check, facts))?.AsKnownIssue);

        var run = VmexitAnalysis.FromRecords(6, verdict.Outcome, verdict.Reason, 0, [], null,
            verdict.Metrics, verdict.Infos, verdict.Checks, [], completed: true, leftOut: []);
        var stats = VmexitAnalysis.CaseStats([run]);

        Assert.Equal(Outcome.XFail, verdict.Outcome);
        Assert.Contains("kvm-pvm-halt-lost-wakeup", run.Failed["x2apic_self_ipi_tpr_sti_hlt"]);
        var lost = stats.Single(c => c.Name == "x2apic_self_ipi_tpr_sti_hlt");
        Assert.Equal(VmexitCaseState.Failed, lost.State);
        Assert.Null(lost.CyclesMedian);
        Assert.NotNull(stats.Single(c => c.Name == "x2apic_self_ipi_sti_hlt").CyclesMedian);

        // The boot passed (XFAIL), so only the footer can say that one case's figures from it are gone.
        var report = Recorded() with { Columns = [Recorded().Columns[0] with { Runs = [run], Cases = stats }] };
        Assert.Contains(VmexitTable.FooterLines(report), l => l.StartsWith("  boot 6: no x2apic_self_ipi_tpr_sti_hlt figures from it: ", StringComparison.Ordinal)
            && l.Contains("kvm-pvm-halt-lost-wakeup", StringComparison.Ordinal));
    }

    [Fact]
    public void AGuestThatNeverCameBackNamesTheCaseItStoppedIn()
    {
        var boot1 = Recorded().Columns[0].Runs[0];

        Assert.Equal(Outcome.Timeout, boot1.Outcome);
        Assert.Equal("vmmcall", boot1.Hung);
        Assert.Equal(["vmmcall"], Recorded().Columns[0].Runs[1].LeftOut);
        var vmmcall = Recorded().Columns[0].Cases.Single(c => c.Name == "vmmcall");
        Assert.Equal(VmexitCaseState.Hung, vmmcall.State);
        Assert.Null(vmmcall.CyclesMedian);
    }

    [Fact]
    public void CaseStatisticsAreRecomputedFromTheRawRuns()
    {
        var column = Recorded().Columns[0];

        var stats = VmexitAnalysis.CaseStats(column.Runs);

        Assert.Equal(column.Cases.Select(c => c.Name), stats.Select(c => c.Name));
        // The recording predates the rule that a boot whose window holds fewer exits than
        // its baseline gives no figure: those cases differ, and only in that way.
        var changed = column.Cases.Where(c => c.ExitsPerOpRuns.Any(e => e < 0)).Select(c => c.Name).ToHashSet();
        Assert.NotEmpty(changed);
        Assert.Equal(JsonFiles.Serialize(column.Cases.Where(c => !changed.Contains(c.Name))),
            JsonFiles.Serialize(stats.Where(c => !changed.Contains(c.Name))));
        foreach (var c in stats.Where(c => changed.Contains(c.Name)))
        {
            Assert.All(c.ExitsPerOpRuns, e => Assert.True(e >= 0));
            Assert.Contains("exceeds the case's window", c.ExitsUnavailable);
        }
    }

    [Fact]
    public void ExitsPerOperationAreTheWindowLessTheMeanOfBothBaselinesOverTheOperations()
    {
        var run = Recorded().Columns[0].Runs[1];
        var counters = run.Counters.ToList();
        int begin = counters.FindIndex(r => r.Tag == "bench.cpuid.begin");
        long window = counters[begin + 1].Counters.Vcpu["exits"] - counters[begin].Counters.Vcpu["exits"];
        Assert.StartsWith("bench.end", counters[begin + 1].Tag);
        double handshake = (run.BaselineExits!.Value + run.BaselineEndExits!.Value) / 2.0;

        var cpuid = VmexitAnalysis.CaseStats([run]).Single(c => c.Name == "cpuid");

        Assert.Equal((window - handshake) / run.Metric("bench.cpuid.ops")!.Value, cpuid.ExitsPerOp!.Value, 9);
        Assert.Equal(run.Metric("bench.cpuid.centicycles.median")!.Value / 100.0, cpuid.CyclesMedian);
        Assert.Equal(run.Metric("bench.cpuid.centicycles.median")!.Value / (double)run.Metric("bench.cpuid.asm.centicycles.median")!.Value,
            cpuid.CSharpOverAsm!.Value, 9);
    }

    [Fact]
    public void TableHasARowPerCaseAndSaysWhyWhereThereAreNoFigures()
    {
        var table = VmexitTable.Build(Recorded());

        Assert.Equal(["cpuid", "vmcall", "vmmcall", "mov_from_cr8", "self_ipi_sti_nop"], table.Rows.Select(r => r.Label));
        Assert.StartsWith("hung [", table.Cell("vmmcall", 0));
        Assert.StartsWith("skip [", table.Cell("vmcall", 0));
        Assert.Matches(@"^[\d,]+ \([\d,]+-[\d,]+\)$", table.Cell("cpuid", 0));
        Assert.EndsWith("x", table.Cell("cpuid", 2));
        // The setting this host cannot give: one column of n/a, its reason in a footnote.
        Assert.Contains("APICv/AVIC on\nn/a [", table.Headers[^1]);
        Assert.Equal("n/a", table.Cell("cpuid", 3));
        Assert.Contains(table.Footnotes, f => f.StartsWith("APICv/AVIC on: unavailable: ", StringComparison.Ordinal) && f.Contains("kvm_pvm"));
        Assert.Contains("\ncycles/op\n", table.Headers[1]);
    }

    [Fact]
    public void CyclesMeasuredUnderAnEmulatorAreLabelledTcg()
    {
        var report = Recorded() with { Settings = Recorded().Settings with { CyclesFromEmulator = true } };

        Assert.Contains("\nTCG cycles/op\n", VmexitTable.Build(report).Headers[1]);
    }

    [Fact]
    public void JsonRoundTripKeepsEverything()
    {
        var text = File.ReadAllText(FixturePath("kvm-pvm-hang.json"));
        var report = JsonSerializer.Deserialize<VmexitReport>(text, JsonFiles.Options)!;

        Assert.Equal(VmexitReport.CurrentSchema, report.Schema);
        Assert.Equal(JsonFiles.Serialize(report), JsonFiles.Serialize(JsonSerializer.Deserialize<VmexitReport>(JsonFiles.Serialize(report), JsonFiles.Options)));
        Assert.Equal("kvm_pvm", report.Host.KvmBackend);
        Assert.Contains(report.Columns[0].Runs[1].Argv, a => a.Contains("skip=vmmcall", StringComparison.Ordinal));
    }

    [Fact]
    public void CompareOfAFileWithItselfShowsNoChange()
    {
        var report = Recorded();

        var result = VmexitCompare.Compare(report, report);

        var cpuid = result.Rows.Single(r => r.Case == "cpuid");
        Assert.Equal(0, cpuid.ChangePercent);
        Assert.Equal(cpuid.ExitsA, cpuid.ExitsB);
        Assert.Equal("A: hung", result.Rows.Single(r => r.Case == "vmmcall").Missing);
        Assert.Equal("unavailable in A", result.Rows.Single(r => r.Column == "APICv/AVIC on").Missing);
        Assert.Equal("0.00%", VmexitCompare.Table(result).Cell("cpuid", 3));
    }

    [Fact]
    public void CompareTellsVmexitFilesFromOthersAndRefusesOthers()
    {
        using var dir = new Support.TempDir();
        var ipi = Path.Combine(dir.Path, "ipi.json");
        File.WriteAllText(ipi, "{\"schema\": \"ktest-ipi/1\"}");

        Assert.True(BenchReportFile.SchemaOf(FixturePath("kvm-pvm-hang.json")) == VmexitReport.CurrentSchema);
        Assert.False(BenchReportFile.SchemaOf(ipi) == VmexitReport.CurrentSchema);
        var e = Assert.Throws<UserErrorException>(() => VmexitCompare.Load(ipi));
        Assert.Contains("`runner vmexit --json`", e.Message);
        Assert.Throws<UserErrorException>(() => VmexitCompare.Load(Path.Combine(dir.Path, "missing.json")));
    }

    [Fact]
    public void ACaseLeftOutWithAReasonIsLostWithItNotAPlainSkip()
    {
        var plan = new VmexitPlan { Columns = [] }.WithLeaveOut(["vmcall=the L0 QEMU aborted in it, known host issue [l0-x]", "cpuid", "vmcall"]);
        var cases = Recorded().Columns[0].Cases;

        var rows = VmexitAnalysis.Lost(cases, plan.LeaveOutWhy);

        Assert.Equal(["vmcall", "cpuid"], plan.LeaveOut);
        Assert.Equal(["vmcall"], plan.LeaveOutWhy.Keys);
        var vmcall = rows.Single(c => c.Name == "vmcall");
        Assert.Equal(VmexitCaseState.Lost, vmcall.State);
        Assert.Equal("lost: the L0 QEMU aborted in it, known host issue [l0-x]", vmcall.NotMeasured);
        Assert.Equal(cases.Where(c => c.Name != "vmcall"), rows.Where(c => c.Name != "vmcall"));
        Assert.Contains("\"lost\"", JsonFiles.Serialize(vmcall));
    }

    [Fact]
    public void GuestArgumentsSpellTheSelectionAndTheCasesLeftOut()
    {
        var plan = new VmexitPlan { Columns = [], Cases = ["cpuid", "ipi"], Batches = 8, OpsPerBatch = 32 };

        Assert.Equal(["batches=8", "ops=32", "parallel=0", "sync=1", "only=cpuid,ipi", "skip=vmmcall"], plan.GuestArgs(["vmmcall"]));
        Assert.Equal(["batches=8", "ops=32", "parallel=0", "sync=1", "only=cpuid,ipi"], plan.GuestArgs([]));
    }
}
