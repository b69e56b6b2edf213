using Runner.Bench;
using Runner.Reporting;

namespace Runner.Tests.Reporting;

/// <summary>`runner pveoi --json`'s file (recorded on the development machine) read back: the tables print from it as the run printed them.</summary>
public class PveoiReportTests
{
    static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pveoi", "kvm-pvm-timer.json");

    static PveoiReport Load() => BenchReportFile.Load<PveoiReport>(Fixture, PveoiReport.CurrentSchema, "runner pveoi --json");

    [Fact]
    public void TheRecordedReportPrintsTheRunsTables()
    {
        var o = new StringWriter();
        PveoiTables.WriteTables(o, Load());
        var lines = o.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();

        // As the recorded run printed them.
        Assert.Contains("  irqload.delivered                     162 -> 172            +6.2 %", lines);
        Assert.Contains("  kvm:kvm_exit               unavailable: kvm:kvm_exit sits in VMX/SVM exit code, which backend kvm_pvm does not run", lines);
        Assert.Contains("  kvm:kvm_pio                   unavailable -> unavailable", lines);
        Assert.Contains("  kvm:kvm_emulate_insn              516,094 -> 493,038        -4.5 %", lines);
        Assert.Contains("  exits                                 610 -> 474            -22.3 %", lines);
        Assert.Contains("  fpu_reload                    unavailable -> unavailable", lines);
        Assert.Contains("  (handshake exits)                     475 -> 547            +15.2 %", lines);
        Assert.Contains(lines, l => l.StartsWith("  (34 more counters were 0 in both runs: directed_yield_attempted,", StringComparison.Ordinal));
    }

    [Fact]
    public void TheFileHoldsTheHostHeaderAndBothSides()
    {
        var r = Load();
        Assert.Equal("kvm_pvm", r.Host.KvmBackend);
        Assert.Equal("6.18.44-fc-v857", r.Host.KernelRelease);
        Assert.Equal("7.2.22", r.Host.QemuVersion);
        Assert.Equal(["pveoi", "--json", "/tmp/report-pveoi.json"], r.CommandLine);
        Assert.Equal(("timer", 250, 1), (r.Settings.Source, r.Settings.Rate, r.Settings.Seconds));
        Assert.Equal(["off", "on"], r.Sides.Select(s => s.Setting));
        Assert.Equal(172, r.Sides[1].GuestMetric("irqload.delivered"));
        Assert.Null(r.Sides[0].Tracepoint("kvm:kvm_exit"));
        // A round trip through the one JSON dialect keeps every figure.
        Assert.Equal(JsonFiles.Serialize(r), JsonFiles.Serialize(System.Text.Json.JsonSerializer.Deserialize<PveoiReport>(JsonFiles.Serialize(r), JsonFiles.Options)));
    }

    [Fact]
    public void AFileOfAnotherKindIsAOneLineError()
    {
        var vmexit = Path.Combine(AppContext.BaseDirectory, "Fixtures", "vmexit", "kvm-pvm-hang.json");
        var e = Assert.Throws<UserErrorException>(() => BenchReportFile.Load<PveoiReport>(vmexit, PveoiReport.CurrentSchema, "runner pveoi --json"));
        Assert.Contains("schema 'ktest-vmexit/1' is not ktest-pveoi/1", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
