using System.Buffers.Binary;
using System.Xml.Linq;
using Runner.Bench;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>
/// `vmexit --plot` from the recorded `runner vmexit --json` of the kvm_pvm machine (APICv/AVIC
/// off measured, on unavailable): the file is written and holds a bar series and an exits
/// series per measured setting.
/// </summary>
public class VmexitPlotTests
{
    static VmexitReport Recorded() =>
        VmexitCompare.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "vmexit", "kvm-pvm-hang.json"));

    [Fact]
    public void EveryMeasuredSettingGetsCyclesBarsAndExitsMarkers()
    {
        var report = Recorded();
        var content = VmexitPlot.Build(report);
        var measuredCases = report.Columns[0].Cases.Count(s => s.CyclesMedian is not null);

        Assert.Equal(["APICv/AVIC off cycles/op", "APICv/AVIC off exits/op"], content.Series);
        Assert.Equal(content.Series.Count, content.Plot.GetPlottables().Count());
        Assert.Equal(3, measuredCases);
        Assert.Equal(measuredCases * 2, content.Points);
    }

    [Fact]
    public void TwoSettingsGiveTwoBarGroups()
    {
        // Derived from the recording: its measured column again under the other setting's key and label.
        var report = Recorded();
        var on = report.Columns[0] with { Key = "apicv-on", Label = "APICv/AVIC on (derived copy)" };
        var both = report with { Columns = [report.Columns[0], on] };

        var content = VmexitPlot.Build(both);

        Assert.Equal(4, content.Series.Count);
        Assert.Contains("APICv/AVIC on (derived copy) cycles/op", content.Series);
    }

    [Fact]
    public void TheTitleNamesHostKernelQemuSettingAndCommand()
    {
        var title = VmexitPlot.Title(Recorded());

        Assert.Contains("runner vmexit on AMD EPYC, kvm_pvm, Linux 6.18.44-fc-v857, QEMU 7.2.22", title);
        Assert.Contains("setting: APICv/AVIC off / APICv/AVIC on, 2 boots x 4 batches x 16 ops", title);
        Assert.Contains("(not measured here: APICv/AVIC on)", title);
        Assert.Contains("command: runner vmexit cpuid vmcall vmmcall mov_from_cr8 self_ipi_sti_nop --runs 2", title);
    }

    [Fact]
    public void ALogScaleOnlyWhereTheSpreadNeedsIt()
    {
        Assert.False(VmexitPlot.NeedsLog([71_569, 83_321, 180_483]));
        Assert.True(VmexitPlot.NeedsLog([900, 71_569]));
        Assert.False(VmexitPlot.NeedsLog([0.12]));
    }

    [Fact]
    public void PngAndSvgFilesAreWritten()
    {
        using var tmp = new TempDir();
        var content = VmexitPlot.Build(Recorded());
        var png = File.ReadAllBytes(PlotFile.Save(content.Plot, Path.Combine(tmp.Path, "vmexit.png")));
        var svg = XDocument.Load(PlotFile.Save(content.Plot, Path.Combine(tmp.Path, "vmexit.svg")));

        Assert.Equal((byte)'P', png[1]);
        Assert.Equal(PlotFile.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.True(png.Length > 20_000, $"only {png.Length} bytes: nothing drawn?");
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains("runner vmexit on AMD EPYC", svg.ToString());
    }
}
