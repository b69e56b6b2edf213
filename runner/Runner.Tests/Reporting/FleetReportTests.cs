using System.Xml.Linq;
using Runner.Reporting.Fleet;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>
/// `runner report` over a folder of CI-style artifacts holding the recorded `runner ipi --json`
/// report twice and a file of another kind, and over the recorded vmexit, pveoi and wakeup reports.
/// </summary>
public class FleetReportTests
{
    static string Recorded(string kind, string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", kind, file));

    static string Artifacts(TempDir tmp)
    {
        var recorded = Recorded("ipi", "ipi-kvm-pvm-both-5runs.json");
        tmp.File("artifacts/host-a/ipi.json", recorded);
        tmp.File("artifacts/host-b/ipi.json", recorded);
        tmp.File("artifacts/host-b/run.json", "{\"schema\": \"ktest-run/1\", \"tests\": []}");
        return Path.Combine(tmp.Path, "artifacts");
    }

    /// <summary>One recorded result of every kind, two of pveoi (as two hosts would give).</summary>
    static string EveryKind(TempDir tmp)
    {
        tmp.File("all/a/ipi.json", Recorded("ipi", "ipi-kvm-pvm-both-5runs.json"));
        tmp.File("all/b/vmexit.json", Recorded("vmexit", "kvm-pvm-hang.json"));
        tmp.File("all/c/pveoi.json", Recorded("pveoi", "kvm-pvm-timer.json"));
        tmp.File("all/d/pveoi.json", Recorded("pveoi", "kvm-pvm-timer.json"));
        tmp.File("all/e/wakeup.json", Recorded("wakeup", "kvm-pvm.json"));
        return Path.Combine(tmp.Path, "all");
    }

    [Fact]
    public void EveryKindOfResultGetsItsOwnTableWithOneColumnPerResult()
    {
        using var tmp = new TempDir();
        var loaded = FleetSources.Load([EveryKind(tmp)]);
        Assert.Equal((1, 1, 2, 1), (loaded.Ipi.Count, loaded.Vmexit.Count, loaded.Pveoi.Count, loaded.Wakeup.Count));
        Assert.Empty(loaded.Notes);
        var kinds = FleetReport.Kinds(loaded, null);
        Assert.Equal(["ipi", "vmexit", "pveoi", "wakeup"], kinds.Select(k => k.Name));
        Assert.All(kinds, k => Assert.Null(k.Plot));

        var vmexit = kinds[1].Table;
        Assert.Equal(["", "H2"], vmexit.Headers);
        Assert.Equal("71,570", vmexit.Cell("APICv/AVIC off: cpuid cycles/op", 0));
        Assert.Equal("0.12", vmexit.Cell("APICv/AVIC off: cpuid exits/op", 0));
        Assert.Equal("skip", vmexit.Cell("APICv/AVIC off: vmcall cycles/op", 0));
        Assert.Equal("hung", vmexit.Cell("APICv/AVIC off: vmmcall cycles/op", 0));
        Assert.Equal("unavailable", vmexit.Cell("APICv/AVIC on", 0));
        Assert.Contains(kinds[1].Reasons, r => r.StartsWith("H2 APICv/AVIC on: unavailable: needs kvm_intel", StringComparison.Ordinal));

        var pveoi = kinds[2].Table;
        Assert.Equal(["", "H3", "H4"], pveoi.Headers);
        Assert.Equal("timer at 250/s for 1 s, 1 vCPU", pveoi.Cell("setting", 1));
        Assert.Equal("PASS, PASS", pveoi.Cell("verdict (off, on)", 0));
        Assert.Equal("162 -> 172 (+6.2 %)", pveoi.Cell("irqload.delivered", 0));
        Assert.Equal("unavailable", pveoi.Cell("kvm:kvm_exit", 0));
        Assert.Equal("unavailable -> unavailable", pveoi.Cell("kvm:kvm_pio", 0));
        Assert.Equal("610 -> 474 (-22.3 %)", pveoi.Cell("QMP exits", 1));
        Assert.Contains(kinds[2].Reasons, r => r == "H3 kvm:kvm_exit: unavailable: kvm:kvm_exit sits in VMX/SVM exit code, which backend kvm_pvm does not run");

        var wakeup = kinds[3].Table;
        Assert.Equal("12,218,168 / 64,117,730", wakeup.Cell("APICv/AVIC off: ipi running, median / p99 cycles", 0));
        Assert.Equal("kvm_pvm, Linux 6.18.44-fc-v857", wakeup.Cell("where", 0));
        Assert.All(kinds, k => Assert.All(k.Table.Footnotes, f => Assert.Contains("; command: runner ", f)));
    }

    [Fact]
    public void VmexitAndWakeupPlotsHoldASeriesPerHostSettingAndCase()
    {
        using var tmp = new TempDir();
        var kinds = FleetReport.Kinds(FleetSources.Load([EveryKind(tmp)]), "runner report all");
        var vmexit = kinds.Single(k => k.Name == "vmexit").Plot!;
        // Measured cases of the one measured column (cpuid, mov_from_cr8, self_ipi_sti_nop): a box and points each.
        Assert.Equal(3 * 2, vmexit.Series.Count);
        Assert.Contains("cpuid H2 APICv/AVIC off box", vmexit.Series);
        var wakeup = kinds.Single(k => k.Name == "wakeup").Plot!;
        Assert.Equal(6 * 2, wakeup.Series.Count);
        Assert.Equal(6 * 3, wakeup.Points);
        Assert.Null(kinds.Single(k => k.Name == "pveoi").Plot);
        Assert.Equal(Path.Combine("out", "fleet-vmexit.svg"), FleetReport.SiblingPath(Path.Combine("out", "fleet.svg"), "vmexit"));
    }

    [Fact]
    public void AFolderGivesOneColumnPerResultAndNamesWhatItLeftOut()
    {
        using var tmp = new TempDir();
        var loaded = FleetSources.Load([Artifacts(tmp)]);
        var (sources, notes) = (loaded.Ipi, loaded.Notes);
        var table = FleetTable.Build(sources);

        Assert.Equal(["H1", "H2"], sources.Select(s => s.Tag));
        Assert.Equal(["", "H1", "H2"], table.Headers);
        Assert.Contains(notes, n => n.Contains("run.json: schema 'ktest-run/1'", StringComparison.Ordinal));
        Assert.Equal("AMD EPYC (AuthenticAMD)", table.Cell("host", 0));
        Assert.Equal("kvm_pvm, Linux 6.18.44-fc-v857", table.Cell("where", 1));
        Assert.Equal("unavailable", table.Cell("xAPIC w/ IPIv: C# cycles", 0));
        Assert.Contains(" ± ", table.Cell("xAPIC w/o IPIv: C# cycles", 0));
    }

    [Fact]
    public void NothingToMergeIsAOneLineError()
    {
        using var tmp = new TempDir();
        tmp.File("only/run.json", "{\"schema\": \"ktest-run/1\"}");
        var e = Assert.Throws<UserErrorException>(() => FleetSources.Load([Path.Combine(tmp.Path, "only")]));
        Assert.StartsWith("no `runner ipi, vmexit, pveoi or wakeup --json` result among 1 file(s)", e.Message);
        Assert.Throws<UserErrorException>(() => FleetSources.Load([Path.Combine(tmp.Path, "missing")]));
    }

    [Fact]
    public void TheHtmlPageIsStandaloneWithTheTableAndAnInlinePlot()
    {
        using var tmp = new TempDir();
        var loaded = FleetSources.Load([Artifacts(tmp)]);
        var plot = FleetPlot.Build(loaded.Ipi, "runner report artifacts");
        var kind = FleetReport.Kinds(loaded, "runner report artifacts").Single();
        var html = FleetHtml.Render("fleet", [new FleetSection(kind.Heading, kind.Table, kind.Reasons, plot.Plot.GetSvgXml(1200, 720))], loaded.Notes);

        // One series per result and measured column, box and points.
        Assert.Equal(2 * 2 * 2, plot.Series.Count);
        Assert.Contains("<td>xAPIC w/o IPIv: C# cycles</td>", html);
        Assert.DoesNotContain("<h2>", html);
        Assert.Contains("H2 xAPIC w/ IPIv: unavailable:", html);
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/", ""));
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html);
        // The inlined SVG is well-formed on its own.
        var start = html.IndexOf("<svg", StringComparison.Ordinal);
        var end = html.LastIndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length;
        Assert.Equal("svg", XDocument.Parse(html[start..end]).Root!.Name.LocalName);
    }

    [Fact]
    public void ThePageOfEveryKindHasASectionEachAndThePlotsOfThoseThatHaveOne()
    {
        using var tmp = new TempDir();
        var loaded = FleetSources.Load([EveryKind(tmp)]);
        var sections = FleetReport.Kinds(loaded, "runner report all")
            .Select(k => new FleetSection(k.Heading, k.Table, k.Reasons, k.Plot?.Plot.GetSvgXml(1200, 720))).ToList();
        var html = FleetHtml.Render("fleet", sections, loaded.Notes);

        Assert.Equal(4, html.Split("<h2>").Length - 1);
        Assert.Equal(4, html.Split("<table>").Length - 1);
        Assert.Equal(3, html.Split("<figure><svg").Length - 1);
        Assert.Contains("<h2>KVM counters with PV-EOI off -&gt; on (runner pveoi) on 2 result(s)</h2>", html);
        Assert.Contains("<td>162 -&gt; 172 (+6.2 %)</td>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("https://", html);
    }
}
