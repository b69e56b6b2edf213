using System.Globalization;
using System.Xml.Linq;
using Runner.Bench;

namespace Runner.Reporting;

/// <summary>`runner ipi --junit`: one testcase per column (classname "bench.ipi"), judged by <see cref="IpiColumnVerdict"/>.</summary>
public static class IpiJUnitWriter
{
    // Not "ipi": the JUnit of `runner run` names each check's testcase after its kernel, and one kernel is ipi.
    public const string ColumnClass = "bench.ipi";

    public static XDocument Build(IpiReport report, bool diagnostic)
    {
        var cases = report.Columns.Select(c =>
        {
            var e = new XElement("testcase",
                new XAttribute("classname", ColumnClass),
                new XAttribute("name", c.Key),
                new XAttribute("time", c.Runs.Sum(r => r.DurationSeconds).ToString("0.###", CultureInfo.InvariantCulture)),
                new XElement("properties",
                    new XElement("property", new XAttribute("name", "where"), new XAttribute("value", report.Host.Where)),
                    new XElement("property", new XAttribute("name", "in_vm"), new XAttribute("value", c.InVm ?? ""))));
            if (IpiColumnVerdict.Judge(c, diagnostic) is { } v)
                e.Add(new XElement(v.Kind == ColumnVerdictKind.Failed ? "failure" : "skipped", new XAttribute("message", v.Why)));
            return e;
        }).ToList();
        return JUnitWriter.Document("runner ipi", cases, TimeSpan.FromSeconds(report.Columns.Sum(c => c.Runs.Sum(r => r.DurationSeconds))));
    }
}
