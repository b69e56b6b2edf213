using System.Xml.Linq;

namespace Runner.Reporting;

/// <summary>
/// Adds up a test session's results: xunit's TRX files (unit tests) and the runner's
/// JUnit files (test kernels, one `kernels` testcase per run; benchmark columns, one
/// `bench.ipi` testcase each) into the one closing line CI reads. `dotnet test` prints no such
/// line of its own.
/// </summary>
public sealed record ResultTotals(int Passed, int Failed, int Skipped, int XFailed, int Files)
{
    public static ResultTotals Empty { get; } = new(0, 0, 0, 0, 0);

    public static ResultTotals FromDirectory(string dir) =>
        FromTrxFiles(dir) + FromJUnitFiles(dir, "*.xml");

    /// <summary>The stage named `unit` wrote the TRX files; any other stage wrote NAME.xml.</summary>
    public static ResultTotals OfStage(string dir, string stage) =>
        stage == UnitStage ? FromTrxFiles(dir) : FromJUnitFiles(dir, stage + ".xml");

    public const string UnitStage = "unit";

    static ResultTotals FromTrxFiles(string dir) =>
        Directory.EnumerateFiles(dir, "*.trx", SearchOption.AllDirectories).Aggregate(Empty, (t, f) => t + FromTrx(XDocument.Load(f)));

    static ResultTotals FromJUnitFiles(string dir, string pattern) =>
        Directory.EnumerateFiles(dir, pattern, SearchOption.AllDirectories).Aggregate(Empty, (t, f) => t + FromJUnit(XDocument.Load(f)));

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
        foreach (var tc in doc.Descendants("testcase").Where(t => (string?)t.Attribute("classname") is JUnitWriter.KernelClass or IpiJUnitWriter.ColumnClass))
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

    /// <summary>
    /// A stage that exited non-zero while its own result files count no failure (a crashed
    /// test host, a benchmark whose output went to a log) would otherwise leave a closing line
    /// of "0 failed" under a failed run: it counts as one failed result, named.
    /// </summary>
    public ResultTotals WithStages(string dir, IEnumerable<StageExit> stages, TextWriter output)
    {
        var totals = this;
        foreach (var stage in stages.Where(s => s.Status != 0))
        {
            if (OfStage(dir, stage.Name).Failed > 0) continue;
            output.WriteLine($"stage {stage.Name} exited {stage.Status}, yet its result files count no failure: counted as one failed result (its log says why)");
            totals += new ResultTotals(0, 1, 0, 0, 0);
        }
        return totals;
    }

    /// <summary>XFAIL runs (known host bugs) count as skipped in the closing line and are named before it.</summary>
    public void Write(TextWriter output)
    {
        output.WriteLine($"totals: {Files} result file(s); {XFailed} xfail (known host issues, tests/errata.cfg) counted as skipped");
        output.WriteLine($"{Passed} passed, {Failed} failed, {Skipped + XFailed} skipped");
    }
}
