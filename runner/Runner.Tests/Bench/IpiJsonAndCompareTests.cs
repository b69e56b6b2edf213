using System.Text.Json;
using Runner.Bench;
using Runner.Reporting;
using Runner.Tests.Support;

namespace Runner.Tests.Bench;

public class IpiJsonAndCompareTests
{
    static IpiReport Sample() => IpiFakes.Report(3,
        IpiFakes.Column(ApicMode.XApic, false, 6000, 6100, 6077),
        IpiFakes.Column(ApicMode.XApic, true, 4700, 4750, 4689),
        IpiFakes.Unavailable(ApicMode.X2Apic, false, "the guest gets no x2APIC"));

    [Fact]
    public void JsonRoundTripKeepsEverything()
    {
        var report = Sample() with { CommandLine = ["ipi", "--runs", "3"], Notes = ["restored"] };
        var json = JsonFiles.Serialize(report);

        var back = JsonSerializer.Deserialize<IpiReport>(json, JsonFiles.Options)!;

        Assert.Equal(json, JsonFiles.Serialize(back));
        Assert.Equal(IpiReport.CurrentSchema, back.Schema);
        Assert.Equal(["ipi", "--runs", "3"], back.CommandLine);
        Assert.Equal(3, back.Columns[0].Runs.Count);
        Assert.Equal(6077, back.Columns[0].Runs[2].Metric("ipi.cycles.avg"));
        Assert.Equal(["qemu-system-x86_64", "-append", "cpus=2 apic=xapic iters=20 sync=1"], back.Columns[0].Runs[0].Argv);
        Assert.Equal(40, back.Columns[0].Runs[0].MeasureDelta!.Vcpu["exits"]);
        Assert.Equal("the guest gets no x2APIC", back.Columns[2].Unavailable);
        Assert.Equal(6059, back.Columns[0].Stats!.CSharp.Mean);
        Assert.Equal(back.Reductions[0].Percent, report.Reductions[0].Percent);
        // A statistic of nothing is kept as NaN, not turned into 0.
        Assert.Contains("\"NaN\"", JsonFiles.Serialize(IpiFakes.Report(1, IpiFakes.Column(ApicMode.XApic, false, 6000))));
        Assert.Contains("\"csharp\":", json);
    }

    [Fact]
    public void CompareShowsChangeSignificanceAndSpread()
    {
        var a = IpiFakes.Report(3, IpiFakes.Column(ApicMode.XApic, false, 6000, 6100, 6077), IpiFakes.Column(ApicMode.X2Apic, false, 4265, 4300, 4448));
        var b = IpiFakes.Report(3, IpiFakes.Column(ApicMode.XApic, false, 4700, 4750, 4689), IpiFakes.Column(ApicMode.X2Apic, false, 4260, 4310, 4450));

        var r = IpiCompare.Compare(a, b);

        var xapic = r.Rows.Single(x => x.Key == "xapic/wo-ipiv");
        Assert.Equal((4713.0 - 6059) / 6059 * 100, xapic.ChangePercent!.Value, 1e-9);
        Assert.True(xapic.Welch!.Significant);
        var x2apic = r.Rows.Single(x => x.Key == "x2apic/wo-ipiv");
        Assert.False(x2apic.Welch!.Significant);
        var t = IpiCompare.Table(r);
        Assert.Equal("-22.21%", t.Cell("xAPIC w/o IPIv", 2));
        Assert.StartsWith("significant", t.Cell("xAPIC w/o IPIv", 3));
        Assert.StartsWith("not significant", t.Cell("x2APIC w/o IPIv", 3));
        Assert.Equal("0.9 %", t.Cell("xAPIC w/o IPIv", 4));
        Assert.Equal("3/3", t.Cell("xAPIC w/o IPIv", 6));
    }

    [Fact]
    public void CompareListsColumnsMissingOnOneSide()
    {
        var a = Sample();
        var b = IpiFakes.Report(3, IpiFakes.Column(ApicMode.XApic, false, 6000, 6100, 6050), IpiFakes.Column(ApicMode.X2Apic, false, 4000, 4100));

        var r = IpiCompare.Compare(a, b);

        Assert.Equal("not in B", r.Rows.Single(x => x.Key == "xapic/w-ipiv").Missing);
        Assert.Equal("unavailable in A", r.Rows.Single(x => x.Key == "x2apic/wo-ipiv").Missing);
        Assert.Contains("x2APIC w/o IPIv in A: unavailable: the guest gets no x2APIC", r.Notes);
    }

    [Fact]
    public void CompareRefusesDifferentExperiments()
    {
        var a = Sample();
        var b = Sample() with { Settings = Sample().Settings with { Target = IpiTarget.Halt } };

        var e = Assert.Throws<UserErrorException>(() => IpiCompare.Compare(a, b));
        Assert.Equal("the files measured different experiments (target: A spin, B halt): compare runs of the same --kind, --halt and --cpus", e.Message);
    }

    [Fact]
    public void CompareRefusesFilesWithNothingInCommon()
    {
        var a = IpiFakes.Report(3, IpiFakes.Column(ApicMode.XApic, false, 6000, 6100));
        var b = IpiFakes.Report(3, IpiFakes.Column(ApicMode.X2Apic, false, 6000, 6100));

        var e = Assert.Throws<UserErrorException>(() => IpiCompare.Compare(a, b));
        Assert.StartsWith("no column has results in both files", e.Message);
    }

    [Fact]
    public void UnreadableFilesAreClearErrors()
    {
        using var tmp = new TempDir();
        var garbage = tmp.File("garbage.json", "{ not json");
        var other = tmp.File("run.json", "{\"schema\": \"ktest-run/1\", \"runnerVersion\": \"x\"}");

        Assert.StartsWith($"{garbage}: not readable as a `runner ipi --json` file", Assert.Throws<UserErrorException>(() => IpiCompare.Load(garbage)).Message);
        Assert.Contains("no such file", Assert.Throws<UserErrorException>(() => IpiCompare.Load(Path.Combine(tmp.Path, "missing.json"))).Message);
        var e = Assert.Throws<UserErrorException>(() => IpiCompare.Load(other));
        Assert.Equal($"{other}: schema 'ktest-run/1' is not ktest-ipi/1: pass a file written by `runner ipi --json`", e.Message);
    }

    [Fact]
    public void WrongSchemaIsNamed()
    {
        using var tmp = new TempDir();
        var json = JsonFiles.Serialize(Sample() with { Schema = "ktest-ipi/0" });
        var path = tmp.File("old.json", json);

        var e = Assert.Throws<UserErrorException>(() => IpiCompare.Load(path));
        Assert.Equal($"{path}: schema 'ktest-ipi/0' is not ktest-ipi/1: pass a file written by `runner ipi --json`", e.Message);
    }

    [Fact]
    public async Task ALoadedFileComparesWithItselfAsNoChange()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "a.json");
        await JsonFiles.WriteAsync(path, Sample());

        var a = IpiCompare.Load(path);
        var r = IpiCompare.Compare(a, a);

        var row = r.Rows.Single(x => x.Key == "xapic/wo-ipiv");
        Assert.Equal(0, row.ChangePercent);
        Assert.False(row.Welch!.Significant);
    }
}
