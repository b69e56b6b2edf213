using Runner.Bench;
using Runner.Cli;
using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Runner.Tests.Support;

namespace Runner.Tests.Bench;

/// <summary>
/// `runner ipi --send icr,pv`: the ICR and the PV hypercall as columns of one table, on a
/// recorded kvm_pvm run (where the hypercall never returns) and on fake boots.
/// </summary>
public class IpiSendColumnsTests
{
    static IpiReport Recorded() =>
        IpiCompare.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ipi", "ipi-kvm-pvm-send-icr-pv-halt-2runs.json"));

    [Fact]
    public void ColumnsArePerModeThenSendThenIpiv()
    {
        var columns = IpiColumn.All([ApicMode.X2Apic, ApicMode.XApic], [true, false], Want.Any, [IpiSend.Pv, IpiSend.Icr]);

        Assert.Equal(["xapic/wo-ipiv", "xapic/w-ipiv", "xapic/pv/wo-ipiv", "xapic/pv/w-ipiv",
                      "x2apic/wo-ipiv", "x2apic/w-ipiv", "x2apic/pv/wo-ipiv", "x2apic/pv/w-ipiv"], columns.Select(c => c.Key));
        Assert.Equal("xAPIC PV w/o IPIv", columns[2].Label);
        Assert.Equal("xAPIC w/o IPIv", columns[0].Label);
        Assert.Equal("kind=pv", new IpiPlan { Columns = columns }.GuestArgs(columns[2], 20, 2)[2]);
        Assert.Equal("kind=unicast", new IpiPlan { Columns = columns }.GuestArgs(columns[0], 20, 2)[2]);
    }

    [Fact]
    public void TheRecordedTableShowsTheIcrFiguresAndWhyThePvColumnsHaveNone()
    {
        var report = Recorded();
        var t = IpiTable.CSharp(report);

        Assert.Equal([IpiSend.Icr, IpiSend.Pv], report.Settings.Sends);
        Assert.Contains("xAPIC PV\nw/o IPIv\nknown issue [2]", t.Headers);
        Assert.Contains("x2APIC PV\nw/o IPIv\nknown issue [5]", t.Headers);
        Assert.StartsWith("xAPIC PV w/o IPIv: no numbers: a known host issue (kvm-pvm-pv-ipi-hypercall-hangs) in all 1 runs: ipi.pv.hypercall_returns: kvm_pvm offers KVM_FEATURE_PV_SEND_IPI",
            t.Footnotes[1]);
        // test | xAPIC w/o (cycles, exits) | w/ | PV w/o | PV w/ | x2APIC w/o (cycles, exits) | w/ | PV w/o | PV w/
        Assert.Equal(11, t.Headers.Count);
        Assert.Equal("2/2", t.Cell("runs used", 0));
        Assert.NotEqual("", t.Cell("Average", 0));
        foreach (var row in t.Rows.Where(r => r.Label != IpiTable.Reduction))
            Assert.Equal("", row.Cells[3]);
        Assert.Equal("n/a: IPIv does not apply to pv", t.Cell(IpiTable.Reduction, 4));
        Assert.Equal("n/a: w/ IPIv is unavailable", t.Cell(IpiTable.Reduction, 2));
        Assert.Contains(IpiTable.ReductionNotes(report), l => l.StartsWith("%Reduction x2APIC PV: n/a: IPIv does not apply to pv: the IPI is sent with the KVM_HC_SEND_IPI hypercall"));
        Assert.Contains(report.Notes, n => n.StartsWith("xAPIC PV w/o IPIv: 1 of 2 runs not booted: run 1 showed what this host does with the hypercall (XFAIL: "));
    }

    [Fact]
    public void TheRecordedPvColumnIsSkippedInJUnitAndTheRunPasses()
    {
        var report = Recorded();
        var junit = IpiJUnitWriter.Build(report, diagnostic: false);
        var pv = junit.Descendants("testcase").Single(e => (string?)e.Attribute("name") == "x2apic/pv/wo-ipiv");

        Assert.StartsWith("every run hit a known host issue", (string?)pv.Element("skipped")!.Attribute("message"));
        Assert.Empty(junit.Descendants("failure"));
        Assert.Null(IpiColumnVerdict.Judge(report.Columns.Single(c => c.Key == "x2apic/wo-ipiv"), false));
        Assert.Equal(BenchVerdict.Success, IpiSession.Verdict(new IpiBench.Outcome(report.Columns, 20, 2, "", [], false), keepPit: false));
    }

    [Fact]
    public void TheRecordedReportComparesAndPlotsItsIcrColumns()
    {
        var report = Recorded();
        var r = IpiCompare.Compare(report, report);

        Assert.Null(r.Rows.Single(x => x.Key == "x2apic/wo-ipiv").Missing);
        Assert.Equal("no successful run in A", r.Rows.Single(x => x.Key == "x2apic/pv/wo-ipiv").Missing);
        var plot = IpiPlot.Build(report);
        Assert.Contains("xAPIC PV w/o IPIv", IpiPlot.Title(report));
        Assert.Contains("unicast via ICR+PV", IpiPlot.Title(report));
        Assert.NotNull(plot.Plot);
    }

    [Fact]
    public void JsonKeepsTheWayOfSending()
    {
        var pv = IpiFakes.Column(ApicMode.X2Apic, false, 9000, 9100) with { Send = IpiSend.Pv, Key = "x2apic/pv/wo-ipiv" };
        var report = IpiFakes.Report(2, IpiFakes.Column(ApicMode.X2Apic, false, 6000, 6100), pv) with
        {
            Settings = new IpiSettings { Runs = 2, Cpus = 2, Sends = [IpiSend.Icr, IpiSend.Pv] },
        };
        var json = JsonFiles.Serialize(report);

        var back = System.Text.Json.JsonSerializer.Deserialize<IpiReport>(json, JsonFiles.Options)!;

        Assert.Contains("\"send\": \"pv\"", json);
        Assert.Equal([IpiSend.Icr, IpiSend.Pv], back.Settings.Sends);
        Assert.Equal(IpiSend.Pv, back.Columns[1].Send);
        Assert.Equal(json, JsonFiles.Serialize(back));
    }

    [Fact]
    public void ReductionsArePerModeAndWayOfSending()
    {
        var columns = new[]
        {
            IpiFakes.Column(ApicMode.XApic, false, 6000, 6100, 6077),
            IpiFakes.Column(ApicMode.XApic, true, 4700, 4750, 4689),
            IpiFakes.Column(ApicMode.XApic, false, 9000, 9100, 9050) with { Send = IpiSend.Pv, Key = "xapic/pv/wo-ipiv" },
            IpiFakes.Column(ApicMode.XApic, true, 8000, 8100, 8050) with { Send = IpiSend.Pv, Key = "xapic/pv/w-ipiv" },
        };

        var r = IpiAnalysis.Reductions(columns, IpiKind.Unicast, KvmModules.Intel);

        Assert.Equal(2, r.Count);
        Assert.Equal((4713.0 - 6059) / 6059 * 100, r.Single(x => x.Send == IpiSend.Icr).Percent!.Value, 1e-9);
        Assert.StartsWith("IPIv does not apply to pv", r.Single(x => x.Send == IpiSend.Pv).NotAvailable);
    }

    [Fact]
    public void AFileFromBeforeSendReadsAsPvColumns()
    {
        // Hand-written: the shape `runner ipi --kind pv --json` wrote before --send (kind pv, keys without pv/).
        var old = IpiFakes.Report(2, IpiFakes.Column(ApicMode.X2Apic, false, 9000, 9100)) with { Settings = new IpiSettings { Runs = 2, Cpus = 2, Kind = IpiKind.Pv } };
        using var t = new TempDir();
        var path = Path.Combine(t.Path, "old.json");
        File.WriteAllText(path, JsonFiles.Serialize(old).Replace("\"sends\": [\n      \"icr\"\n    ],", "").Replace("\"send\": \"icr\",", ""));
        var now = IpiFakes.Report(2, IpiFakes.Column(ApicMode.X2Apic, false, 8000, 8100) with { Send = IpiSend.Pv, Key = "x2apic/pv/wo-ipiv" }) with
        {
            Settings = new IpiSettings { Runs = 2, Cpus = 2, Sends = [IpiSend.Pv] },
        };

        var back = IpiCompare.Load(path);
        var r = IpiCompare.Compare(back, now);

        Assert.DoesNotContain("\"sends\"", File.ReadAllText(path));
        Assert.Equal(IpiKind.Unicast, back.Settings.Kind);
        Assert.Equal([IpiSend.Pv], back.Settings.Sends);
        Assert.Equal("x2APIC PV w/o IPIv", back.Columns[0].Label);
        Assert.Null(r.Rows.Single(x => x.Key == "x2apic/pv/wo-ipiv").Missing);
    }

    static TestRunResult Skipped() =>
        new(new TestEntry { Name = "ipi", File = "ipi", Smp = 2 }, AccelDecision.Use(Runner.Qemu.AccelKind.Kvm, "test"),
            VerdictJudge.Judge(new RunEvidence
            {
                Stdout =
                [
                    "#kt begin ipi 2", "#kt info ipi.apic x2apic", "#kt info ipi.kind pv", "#kt info ipi.target spin",
                    "#kt skip ipi.pv_offered CPUID 0x40000001 bit 11 (KVM_FEATURE_PV_SEND_IPI) is clear or this is not a KVM guest",
                    "#kt end 0 0 1",
                ],
                ExitStatus = GuestExitStatus.AllSkipped,
                ExpectedCpus = 2,
            }), TimeSpan.FromMilliseconds(100)) { Argv = ["qemu-system-x86_64"] };

    [Fact]
    public async Task APvColumnTheGuestSkipsIsBootedOnceAndSkippedWithTheGuestsReason()
    {
        var boots = new List<string>();
        var bench = new IpiBench
        {
            BootOnce = (col, log, args, _) =>
            {
                lock (boots) boots.Add(log);
                return Task.FromResult(col.Send == IpiSend.Pv ? Skipped() : IpiFakes.Run(col.Apic.Arg(), 6000, 4000));
            },
            ProbeHost = () => HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")),
        };
        var columns = IpiColumn.All([ApicMode.X2Apic], [false], Want.Any, [IpiSend.Icr, IpiSend.Pv]);

        var o = await bench.RunAsync(new IpiPlan { Columns = columns, Runs = 3, Iterations = 20, Warmup = 5 }, CancellationToken.None);

        Assert.Equal(["ipi_x2apic_wo-ipiv_run01", "ipi_x2apic_wo-ipiv_run02", "ipi_x2apic_wo-ipiv_run03", "ipi_x2apic_pv_wo-ipiv_run01"], boots);
        var pv = o.Columns[1];
        Assert.Equal(IpiSend.Pv, pv.Send);
        Assert.Single(pv.Runs);
        Assert.Null(pv.Stats);
        var verdict = IpiColumnVerdict.Judge(pv, false)!;
        Assert.Equal(ColumnVerdictKind.Skipped, verdict.Kind);
        Assert.Equal("the guest could not measure on this host: run 1: all 1 checks skipped: ipi.pv_offered: CPUID 0x40000001 bit 11 (KVM_FEATURE_PV_SEND_IPI) is clear or this is not a KVM guest", verdict.Why);
        Assert.Equal(3, o.Columns[0].Stats!.RunsUsed);
        Assert.Contains(o.Notes, n => n.StartsWith("x2APIC PV w/o IPIv: 2 of 3 runs not booted: run 1 showed what this host does with the hypercall (SKIP: "));
        var t = IpiTable.CSharp(IpiFakes.Report(3, [.. o.Columns]));
        Assert.Equal("x2APIC PV\nw/o IPIv\nskipped [1]", t.Headers[3]);
    }

    [Fact]
    public void SendOptionsReachTheRequest()
    {
        IpiRequest Parse(params string[] args)
        {
            var parsed = IpiCommand.Create(new GlobalOptions()).Parse(args);
            Assert.Empty(parsed.Errors);
            return IpiCommand.RequestFrom(parsed);
        }

        Assert.Equal([IpiSend.Icr], Parse().Sends);
        Assert.Equal([IpiSend.Icr, IpiSend.Pv], Parse("--send", "icr,pv").Sends);
        Assert.Equal(IpiKind.Unicast, Parse("--send", "icr,pv").IcrKind);
        var legacy = Parse("--kind", "pv");
        Assert.Equal([IpiSend.Pv], legacy.Sends);
        Assert.Equal(IpiKind.Unicast, legacy.IcrKind);
        Assert.Null(legacy.Validate());
        Assert.Equal([IpiSend.Pv, IpiSend.Icr], Parse("--send", "pv,icr").Sends);
    }

    [Theory]
    [InlineData("--send must be icr, pv or icr,pv, not 'ipiv'", "--send", "ipiv")]
    [InlineData("--send must be icr, pv or icr,pv, not 'pv,pv'", "--send", "pv,pv")]
    public void ABadSendIsRefused(string expected, params string[] args)
    {
        var parsed = IpiCommand.Create(new GlobalOptions()).Parse(args);
        Assert.Equal(expected, Assert.Single(parsed.Errors).Message);
    }

    [Theory]
    [InlineData("--kind pv with --send: --kind pv is --send pv; give --send (e.g. --send icr,pv) with --kind unicast", "--kind", "pv", "--send", "icr,pv")]
    [InlineData("--send pv with --kind self: the PV hypercall is measured as a unicast IPI to the second vCPU; drop --kind self or send with --send icr", "--kind", "self", "--send", "icr,pv")]
    [InlineData("--send pv with --kind broadcast: the PV hypercall is measured as a unicast IPI to the second vCPU; drop --kind broadcast or send with --send icr", "--kind", "broadcast", "--send", "pv")]
    public void ContradictionsWithSendAreNamed(string expected, params string[] args)
    {
        var parsed = IpiCommand.Create(new GlobalOptions()).Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Equal(expected, IpiCommand.RequestFrom(parsed).Validate());
    }
}
