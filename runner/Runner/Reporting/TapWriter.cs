using System.Text;
using Runner.Execution;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Reporting;

/// <summary>
/// TAP version 13: one test point per test kernel, its checks in the YAML block. XFAIL maps
/// to TAP's TODO (an expected failure), which TAP consumers do not count as failing.
/// </summary>
public static class TapWriter
{
    public static string Render(IReadOnlyList<TestRunResult> results)
    {
        var sb = new StringBuilder();
        sb.Append("TAP version 13\n");
        sb.Append($"1..{results.Count}\n");
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var (ok, directive) = r.Outcome switch
            {
                Outcome.Pass => (true, ""),
                Outcome.Skip => (true, $" # SKIP {OneLine(r.Verdict.Reason)}"),
                Outcome.XFail => (false, $" # TODO {OneLine(r.Verdict.Reason)}"),
                _ => (false, ""),
            };
            sb.Append($"{(ok ? "ok" : "not ok")} {i + 1} - {r.Entry.Name}{directive}\n");
            AppendYaml(sb, r);
        }
        return sb.ToString();
    }

    static void AppendYaml(StringBuilder sb, TestRunResult r)
    {
        sb.Append("  ---\n");
        sb.Append($"  outcome: {r.Outcome.Label()}\n");
        if (r.Verdict.Reason.Length > 0)
            sb.Append($"  message: {Yaml(r.Verdict.Reason)}\n");
        sb.Append($"  accel: {r.Accel.Accel?.ToText() ?? "none"}\n");
        sb.Append($"  duration_ms: {(long)r.Duration.TotalMilliseconds}\n");
        if (r.Verdict.Checks.Count > 0)
        {
            sb.Append("  checks:\n");
            foreach (var c in r.Verdict.Checks)
            {
                sb.Append($"    - name: {Yaml(c.Name)}\n");
                sb.Append($"      outcome: {c.Outcome.Label()}\n");
                if (c.Detail.Length > 0) sb.Append($"      detail: {Yaml(c.Detail)}\n");
                if (c.ErratumReason is not null) sb.Append($"      erratum: {Yaml(c.ErratumReason)}\n");
            }
        }
        sb.Append("  ...\n");
    }

    // TAP directives end at the line break.
    static string OneLine(string s) => s.ReplaceLineEndings(" ");

    // Always double-quoted: guest details contain ':' and '#' that would otherwise change the YAML's meaning.
    static string Yaml(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").ReplaceLineEndings("\\n") + "\"";
}
