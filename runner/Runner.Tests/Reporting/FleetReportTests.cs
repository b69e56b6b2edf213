using System.Xml.Linq;
using Runner.Reporting.Fleet;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>`runner report` over a folder of CI-style artifacts holding the recorded `runner ipi --json` report twice and a file of another kind.</summary>
public class FleetReportTests
{
    static string Artifacts(TempDir tmp)
    {
        var recorded = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ipi", "ipi-kvm-pvm-both-5runs.json"));
        tmp.File("artifacts/host-a/ipi.json", recorded);
        tmp.File("artifacts/host-b/ipi.json", recorded);
        tmp.File("artifacts/host-b/run.json", "{\"schema\": \"ktest-run/1\", \"tests\": []}");
        return Path.Combine(tmp.Path, "artifacts");
    }

    [Fact]
    public void AFolderGivesOneColumnPerResultAndNamesWhatItLeftOut()
    {
        using var tmp = new TempDir();
        var (sources, notes) = FleetSources.Load([Artifacts(tmp)]);
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
        Assert.StartsWith("no `runner ipi --json` result among 1 file(s)", e.Message);
        Assert.Throws<UserErrorException>(() => FleetSources.Load([Path.Combine(tmp.Path, "missing")]));
    }

    [Fact]
    public void TheHtmlPageIsStandaloneWithTheTableAndAnInlinePlot()
    {
        using var tmp = new TempDir();
        var (sources, notes) = FleetSources.Load([Artifacts(tmp)]);
        var plot = FleetPlot.Build(sources, "runner report artifacts");
        var html = FleetHtml.Render("fleet", FleetTable.Build(sources), sources, notes, plot.Plot.GetSvgXml(1200, 720));

        // One series per result and measured column, box and points.
        Assert.Equal(2 * 2 * 2, plot.Series.Count);
        Assert.Contains("<td>xAPIC w/o IPIv: C# cycles</td>", html);
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
}
