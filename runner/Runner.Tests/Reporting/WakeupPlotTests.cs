using System.Buffers.Binary;
using System.Xml.Linq;
using Runner.Bench;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>
/// `wakeup --plot` from recorded `runner wakeup --json` files of the kvm_pvm machine (APICv/AVIC
/// off measured, on unavailable): one CDF per source and target state, its points the guest's
/// quantiles (min, deciles, p99 from a kernel that reports deciles; min, median, p99 from one
/// that does not), and the file written.
/// </summary>
public class WakeupPlotTests
{
    static WakeupReport Recorded(string file) =>
        BenchReportFile.Load<WakeupReport>(Path.Combine(AppContext.BaseDirectory, "Fixtures", "wakeup", file), WakeupReport.CurrentSchema, "runner wakeup --json");

    [Fact]
    public void EverySourceGetsARunningAndAHaltedCurveOfElevenQuantiles()
    {
        var content = WakeupPlot.Build(Recorded("kvm-pvm-deciles.json"));

        Assert.Equal(["APICv/AVIC off ipi running", "APICv/AVIC off ipi halted", "APICv/AVIC off timer running",
                      "APICv/AVIC off timer halted", "APICv/AVIC off msi running", "APICv/AVIC off msi halted"], content.Series);
        Assert.Equal(content.Series.Count, content.Plot.GetPlottables().Count());
        Assert.Equal(6 * WakeupPlot.Quantiles.Count, content.Points);
    }

    [Fact]
    public void EachCurveRisesWithTheTablesFiguresOnIt()
    {
        var report = Recorded("kvm-pvm-deciles.json");
        var curves = WakeupPlot.Curves(report);
        foreach (var c in curves)
        {
            var row = report.Columns[0].Rows.Single(r => r.Source == c.Source && r.State == c.State);
            // A CDF: fractions and cycles both never fall.
            Assert.Equal(c.Points.OrderBy(p => p.Fraction).Select(p => p.Cycles).Order(), c.Points.OrderBy(p => p.Fraction).Select(p => p.Cycles));
            Assert.Equal(row.Min, c.Points.Single(p => p.Fraction == 0).Cycles);
            Assert.Equal(row.Median, c.Points.Single(p => p.Fraction == 0.5).Cycles);
            Assert.Equal(row.P99, c.Points.Single(p => p.Fraction == 0.99).Cycles);
        }
    }

    [Fact]
    public void AKernelWithoutDecilesGivesCurvesOfItsThreeFigures()
    {
        var content = WakeupPlot.Build(Recorded("kvm-pvm.json"));
        Assert.Equal(6, content.Series.Count);
        Assert.Equal(6 * 3, content.Points);
    }

    [Fact]
    public void TheTitleNamesHostKernelQemuSettingAndCommand()
    {
        var title = WakeupPlot.Title(Recorded("kvm-pvm.json"));

        Assert.Contains("runner wakeup on AMD EPYC, kvm_pvm, Linux 6.18.44-fc-v857, QEMU 7.2.22", title);
        Assert.Contains("setting: APICv/AVIC off / APICv/AVIC on, 3 boots x 200 samples, gap 1000 us, 2 vCPUs", title);
        Assert.Contains("(not measured here: APICv/AVIC on)", title);
        Assert.Contains("command: runner wakeup --runs 3 --json", title);
    }

    [Fact]
    public void PngAndSvgFilesAreWritten()
    {
        using var tmp = new TempDir();
        var content = WakeupPlot.Build(Recorded("kvm-pvm-deciles.json"));
        var png = File.ReadAllBytes(PlotFile.Save(content.Plot, Path.Combine(tmp.Path, "wakeup.png")));
        var svg = XDocument.Load(PlotFile.Save(content.Plot, Path.Combine(tmp.Path, "wakeup.svg")));

        Assert.Equal((byte)'P', png[1]);
        Assert.Equal(PlotFile.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.True(png.Length > 20_000, $"only {png.Length} bytes: nothing drawn?");
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains("runner wakeup on AMD EPYC", svg.ToString());
    }
}
