using System.Xml.Linq;
using Runner.Reporting;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

public class JUnitWriterTests
{
    static readonly XDocument Doc = XDocument.Parse(JUnitWriter.Render(ResultFactory.Mixed()));
    static readonly List<XElement> Cases = Doc.Descendants("testcase").ToList();

    static XElement Case(string classname, string name) =>
        Assert.Single(Cases, c => (string?)c.Attribute("classname") == classname && (string?)c.Attribute("name") == name);

    [Fact]
    public void OneCasePerKernelAndPerCheck()
    {
        // 5 kernels; selftest has 7 checks (6 pass, 1 skip), each TCG transcript 5 (2 pass, 2 fail, 1 skip).
        Assert.Equal(5 + 7 + 5 + 5, Cases.Count);
        Assert.Equal(5, Cases.Count(c => (string?)c.Attribute("classname") == JUnitWriter.KernelClass));
        Assert.Equal(Cases.Count, (int)Doc.Root!.Element("testsuite")!.Attribute("tests")!);
    }

    [Fact]
    public void FailuresAreMarkedOnKernelAndCheck()
    {
        var kernel = Case(JUnitWriter.KernelClass, "tcg-msr").Element("failure")!;
        Assert.StartsWith("2 of 4 checks failed", (string?)kernel.Attribute("message"));
        var check = Case("tcg-msr", "msr.reserved_read_gp").Element("failure")!;
        Assert.Equal("expected 0xd got 0xffffffffffffffff", (string?)check.Attribute("message"));
        Assert.Null(Case("tcg-msr", "report.check").Element("failure"));
        Assert.Equal("TIMEOUT", (string?)Case(JUnitWriter.KernelClass, "hang").Element("failure")!.Attribute("type"));
    }

    [Fact]
    public void SkipsAndXFailsAreSkippedNotFailed()
    {
        Assert.NotNull(Case(JUnitWriter.KernelClass, "ipiv").Element("skipped"));
        Assert.StartsWith("XFAIL: ", (string?)Case(JUnitWriter.KernelClass, "xfail-msr").Element("skipped")!.Attribute("message"));
        Assert.StartsWith("XFAIL: TCG: no #GP", (string?)Case("xfail-msr", "msr.reserved_write_gp").Element("skipped")!.Attribute("message"));
        Assert.NotNull(Case("selftest", "report.skip").Element("skipped"));
    }

    [Fact]
    public void SuiteCountsMatchTheCases()
    {
        var suite = Doc.Root!.Element("testsuite")!;
        Assert.Equal(Cases.Count(c => c.Element("failure") is not null), (int)suite.Attribute("failures")!);
        Assert.Equal(4, (int)suite.Attribute("failures")!); // tcg-msr + its 2 checks + hang
        Assert.Equal(Cases.Count(c => c.Element("skipped") is not null), (int)suite.Attribute("skipped")!);
    }

    [Fact]
    public void GuestOutputGoesToSystemOutAndControlBytesAreReplaced()
    {
        var r = ResultFactory.Judged("noisy", ["\u001bc\u0000SeaBIOS", .. Transcripts.SelftestPass], 1);
        var doc = XDocument.Parse(JUnitWriter.Render([r]));
        var output = (string)doc.Descendants("system-out").First();
        Assert.Contains("#kt end 6 0 1", output);
        Assert.Contains("?c?SeaBIOS", output);
    }

    [Fact]
    public void CharactersOutsideTheBmpAreKept()
    {
        var r = ResultFactory.Judged("emoji", ["ok \U0001F600 \ud800 lone", .. Transcripts.SelftestPass], 1);
        var output = (string)XDocument.Parse(JUnitWriter.Render([r])).Descendants("system-out").First();
        Assert.Contains("ok \U0001F600 ? lone", output);
    }
}
