using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Runner.Execution;
using Runner.Protocol;

namespace Runner.Reporting;

/// <summary>
/// JUnit XML for CI dashboards: one testcase per test kernel (classname "kernels") and one
/// per guest check (classname = the kernel's name), so a failing check shows up by name.
/// </summary>
public static class JUnitWriter
{
    public const string KernelClass = "kernels";
    public const string XFailPrefix = "XFAIL: ";

    /// <param name="partialReason">Set when the run was stopped early: a `partial` property on the suite says why.</param>
    public static XDocument Build(IReadOnlyList<TestRunResult> results, string? partialReason = null)
    {
        var cases = new List<XElement>();
        foreach (var r in results)
        {
            cases.Add(KernelCase(r));
            cases.AddRange(r.Verdict.Checks.Select(c => CheckCase(r.Entry.Name, c)));
        }

        return Document("runner", cases, results.Aggregate(TimeSpan.Zero, (t, r) => t + r.Duration),
            partialReason is null ? null : new XElement("properties",
                new XElement("property", new XAttribute("name", "partial"), new XAttribute("value", partialReason))));
    }

    /// <summary>One testsuite of these cases in a testsuites document, with the counts CI dashboards read.</summary>
    public static XDocument Document(string suiteName, IReadOnlyList<XElement> cases, TimeSpan time, XElement? suiteProperties = null)
    {
        int failures = cases.Count(c => c.Element("failure") is not null);
        int skipped = cases.Count(c => c.Element("skipped") is not null);
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            new XAttribute("skipped", skipped),
            new XAttribute("time", Seconds(time)),
            suiteProperties,
            cases);
        return new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites",
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", failures),
                new XAttribute("skipped", skipped),
                suite));
    }

    public static string Render(IReadOnlyList<TestRunResult> results, string? partialReason = null)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, settings))
            Build(results, partialReason).Save(w);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static XElement KernelCase(TestRunResult r)
    {
        var tc = new XElement("testcase",
            new XAttribute("classname", KernelClass),
            new XAttribute("name", r.Entry.Name),
            new XAttribute("time", Seconds(r.Duration)));
        var reason = Clean(r.Verdict.Reason);
        switch (r.Outcome)
        {
            case Outcome.Fail:
                tc.Add(new XElement("failure", new XAttribute("message", reason), new XAttribute("type", "FAIL"), reason));
                break;
            case Outcome.Timeout:
                tc.Add(new XElement("failure", new XAttribute("message", reason), new XAttribute("type", "TIMEOUT"), reason));
                break;
            case Outcome.Skip:
                tc.Add(new XElement("skipped", new XAttribute("message", reason)));
                break;
            case Outcome.XFail:
                tc.Add(new XElement("skipped", new XAttribute("message", XFailPrefix + reason)));
                break;
        }
        var props = KvmReading.Find(r.KvmReadings, SyncSession.EndTag) is { } counters ? KvmProperties(counters) : new XElement("properties");
        if (r.Where is not null)
            props.AddFirst(Property("where", r.Where));
        if (props.HasElements)
            tc.AddFirst(props);
        if (r.Output.Count > 0)
            tc.Add(new XElement("system-out", Clean(string.Join("\n",
                r.Output.Select(RunLogWriter.Format)))));
        return tc;
    }

    /// <summary>The KVM counters at `#kt end` as testcase properties (kvm.vcpu.exits ...), or why there are none.</summary>
    static XElement KvmProperties(Qemu.KvmCounters c)
    {
        var props = new XElement("properties");
        if (!c.IsAvailable)
        {
            props.Add(Property("kvm.unavailable", c.Unavailable!));
            return props;
        }
        props.Add(Property("kvm.vcpus", c.VcpuCount.ToString(CultureInfo.InvariantCulture)));
        foreach (var (name, value) in c.Vcpu)
            props.Add(Property($"kvm.vcpu.{name}", value.ToString(CultureInfo.InvariantCulture)));
        foreach (var (name, value) in c.Vm)
            props.Add(Property($"kvm.vm.{name}", value.ToString(CultureInfo.InvariantCulture)));
        return props;
    }

    static XElement Property(string name, string value) =>
        new("property", new XAttribute("name", name), new XAttribute("value", Clean(value)));

    static XElement CheckCase(string kernel, CheckResult c)
    {
        var tc = new XElement("testcase", new XAttribute("classname", kernel), new XAttribute("name", c.Name), new XAttribute("time", "0"));
        var detail = Clean(c.Detail);
        switch (c.Outcome)
        {
            case CheckOutcome.Fail:
                tc.Add(new XElement("failure", new XAttribute("message", detail), new XAttribute("type", "FAIL"), detail));
                break;
            case CheckOutcome.Skip:
                tc.Add(new XElement("skipped", new XAttribute("message", detail)));
                break;
            case CheckOutcome.XFail:
                tc.Add(new XElement("skipped", new XAttribute("message", Clean($"{XFailPrefix}{c.ErratumReason} ({c.Detail})"))));
                break;
            case CheckOutcome.XPass:
                tc.Add(new XElement("system-out", Clean($"XPASS: passed although tests/errata.cfg expects a failure: {c.ErratumReason}")));
                break;
        }
        return tc;
    }

    static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    // Guest output can hold control bytes that XML 1.0 forbids; XmlWriter would throw on them.
    // A character outside the BMP (kept printable UTF-8 from the guest) is a surrogate pair, legal as a pair.
    static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (XmlConvert.IsXmlChar(s[i])) sb.Append(s[i]);
            else if (i + 1 < s.Length && XmlConvert.IsXmlSurrogatePair(s[i + 1], s[i])) sb.Append(s, i++, 2);
            else sb.Append('?');
        }
        return sb.ToString();
    }
}
