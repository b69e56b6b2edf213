using System.Xml.Linq;

namespace Runner.Reporting;

/// <summary>
/// Adds up a test session's results: xunit's TRX files (unit tests) and the runner's
/// JUnit files (test kernels, one `kernels` testcase per run) into the one closing
/// line CI reads. `dotnet test` prints no such line of its own.
/// </summary>
public sealed record ResultTotals(int Passed, int Failed, int Skipped, int XFailed, int Files)
{
    public static ResultTotals FromDirectory(string dir)
    {
        var totals = new ResultTotals(0, 0, 0, 0, 0);
        foreach (var trx in Directory.EnumerateFiles(dir, "*.trx", SearchOption.AllDirectories))
            totals += FromTrx(XDocument.Load(trx));
        foreach (var xml in Directory.EnumerateFiles(dir, "*.xml", SearchOption.AllDirectories))
            totals += FromJUnit(XDocument.Load(xml));
        return totals;
    }

    public static ResultTotals FromTrx(XDocument doc)
    {
        var counters = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters")
            ?? throw new InvalidDataException("TRX file has no ResultSummary/Counters element");
        int Get(string name) => int.TryParse((string?)counters.Attribute(name), out var v) ? v : 0;
        // "failed" alone misses crashed or aborted test hosts: count everything not passed and not skipped.
        // xunit.v3's skips (Assert.Skip) reach the TRX only as results with outcome NotExecuted:
        // its Counters leave notExecuted at 0, so count the results themselves.
        int skippedResults = doc.Descendants().Count(e => e.Name.LocalName == "UnitTestResult" && (string?)e.Attribute("outcome") == "NotExecuted");
        int total = Get("total"), passed = Get("passed"), notExecuted = Math.Max(Get("notExecuted"), skippedResults);
        return new ResultTotals(passed, Math.Max(0, total - passed - notExecuted), notExecuted, 0, 1);
    }

    public static ResultTotals FromJUnit(XDocument doc)
    {
        int passed = 0, failed = 0, skipped = 0, xfailed = 0;
        foreach (var tc in doc.Descendants("testcase").Where(t => (string?)t.Attribute("classname") == JUnitWriter.KernelClass))
        {
            var skip = tc.Element("skipped");
            if (tc.Element("failure") is not null || tc.Element("error") is not null) failed++;
            else if (skip is not null && ((string?)skip.Attribute("message") ?? "").StartsWith(JUnitWriter.XFailPrefix, StringComparison.Ordinal)) xfailed++;
            else if (skip is not null) skipped++;
            else passed++;
        }
        return new ResultTotals(passed, failed, skipped, xfailed, 1);
    }

    public static ResultTotals operator +(ResultTotals a, ResultTotals b) =>
        new(a.Passed + b.Passed, a.Failed + b.Failed, a.Skipped + b.Skipped, a.XFailed + b.XFailed, a.Files + b.Files);

    /// <summary>XFAIL runs (known host bugs) count as skipped in the closing line and are named before it.</summary>
    public void Write(TextWriter output)
    {
        output.WriteLine($"totals: {Files} result file(s); {XFailed} xfail (known host issues, tests/errata.cfg) counted as skipped");
        output.WriteLine($"{Passed} passed, {Failed} failed, {Skipped + XFailed} skipped");
    }
}
