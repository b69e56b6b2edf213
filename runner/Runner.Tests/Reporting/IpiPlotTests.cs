using System.Buffers.Binary;
using System.Xml.Linq;
using Runner.Bench;
using Runner.Reporting.Plots;
using Runner.Reporting;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>`ipi --plot` and `compare --plot` from a recorded `runner ipi --json` report: the files exist, decode, and hold one box and one point series per sample.</summary>
public class IpiPlotTests
{
    static IpiReport Recorded() =>
        IpiCompare.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ipi", "ipi-kvm-pvm-both-5runs.json"));

    [Fact]
    public void EveryMeasuredColumnGetsABoxAndPointsForCSharpAndAsm()
    {
        var report = Recorded();
        var content = IpiPlot.Build(report);
        int measured = report.Columns.Count(c => c.HasNumbers);
        int used = report.Columns.Where(c => c.HasNumbers).Sum(c => c.Runs.Count(r => r.Used));

        Assert.Equal(2, measured);
        // Per measured column: C# box, C# points, asm box, asm points.
        Assert.Equal(measured * 4, content.Series.Count);
        Assert.Equal(content.Series.Count, content.Plot.GetPlottables().Count());
        Assert.Equal(used * 2, content.Points);
        Assert.Contains("xAPIC w/o IPIv C# points", content.Series);
        Assert.DoesNotContain(content.Series, s => s.Contains("w/ IPIv", StringComparison.Ordinal));
    }

    [Fact]
    public void TheTitleNamesHostKernelQemuSettingAndCommand()
    {
        var title = IpiPlot.Title(Recorded());

        Assert.Contains("AMD EPYC", title);
        Assert.Contains("kvm_pvm", title);
        Assert.Contains("Linux 6.18.44-fc-v857", title);
        Assert.Contains("QEMU 7.2.22", title);
        Assert.Contains("setting: xapic+x2apic, IPIv off/on, target spin, unicast, 5 runs", title);
        Assert.Contains("command: runner ipi --both --runs 5 --json", title);
        Assert.Contains("\nnot measured here: xAPIC w/ IPIv, x2APIC w/ IPIv\n", title);
    }

    [Fact]
    public void APngFileIsWrittenAtItsSize()
    {
        using var tmp = new TempDir();
        var path = PlotFile.Save(IpiPlot.Build(Recorded()).Plot, Path.Combine(tmp.Path, "sub", "ipi.png"));
        var bytes = File.ReadAllBytes(path);

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        // IHDR follows the signature: width and height, big-endian.
        Assert.Equal(PlotFile.Width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(PlotFile.Height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        Assert.True(bytes.Length > 20_000, $"only {bytes.Length} bytes: nothing drawn?");
    }

    [Fact]
    public void AnSvgFileParsesAndCarriesTheTitle()
    {
        using var tmp = new TempDir();
        var path = PlotFile.Save(IpiPlot.Build(Recorded()).Plot, Path.Combine(tmp.Path, "ipi.svg"));
        var svg = XDocument.Load(path);

        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains("runner ipi on AMD EPYC", svg.ToString());
    }

    [Fact]
    public void CompareDrawsBothFilesUnderEachSharedColumn()
    {
        var a = Recorded();
        var content = IpiPlot.BuildCompare(a, a, "runner compare a.json a.json --plot c.png");

        Assert.Equal(2 * 2 * 4, content.Series.Count);
        Assert.Contains("xAPIC w/o IPIv A C# box", content.Series);
        Assert.Contains("xAPIC w/o IPIv B asm points", content.Series);
    }

    [Fact]
    public void AnotherExtensionIsAOneLineError()
    {
        var e = Assert.Throws<UserErrorException>(() => PlotFile.Save(IpiPlot.Build(Recorded()).Plot, "/tmp/plot.jpg"));
        Assert.Equal("--plot /tmp/plot.jpg: the file must end in .png or .svg", e.Message);
    }
}
