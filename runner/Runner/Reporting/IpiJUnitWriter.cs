using System.Globalization;
using System.Xml.Linq;
using Runner.Bench;

namespace Runner.Reporting;

/// <summary>`runner ipi --junit`: one testcase per column (classname "ipi"), judged by <see cref="IpiColumnVerdict"/>.</summary>
public static class IpiJUnitWriter
{
    public static XDocument Build(IpiReport report, bool diagnostic)
    {
        var cases = report.Columns.Select(c =>
        {
            var e = new XElement("testcase",
                new XAttribute("classname", "ipi"),
                new XAttribute("name", c.Key),
                new XAttribute("time", c.Runs.Sum(r => r.DurationSeconds).ToString("0.###", CultureInfo.InvariantCulture)),
                new XElement("properties",
                    new XElement("property", new XAttribute("name", "where"), new XAttribute("value", report.Host.Where)),
                    new XElement("property", new XAttribute("name", "in_vm"), new XAttribute("value", c.InVm ?? ""))));
            if (IpiColumnVerdict.Judge(c, diagnostic) is { } v)
                e.Add(new XElement(v.Kind, new XAttribute("message", v.Why)));
            return e;
        }).ToList();
        var suite = new XElement("testsuite",
            new XAttribute("name", "runner ipi"),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", cases.Count(c => c.Element("failure") is not null)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", cases.Count(c => c.Element("skipped") is not null)),
            cases);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite));
    }
}
