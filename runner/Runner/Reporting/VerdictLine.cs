using Runner.Protocol;

namespace Runner.Reporting;

/// <summary>
/// The reason as the one-line verdict shows it: an XFAIL counts its known host issues and
/// names their errata entries, grouped by shared prefix; a FAIL names its first failed check
/// and how many failed. Either stays under <see cref="MaxReason"/> characters. The full
/// reason stays in the Verdict for -v, the log, JUnit, TAP and JSON.
/// </summary>
public static class VerdictLine
{
    public const int MaxReason = 110;
    const string More = "…";
    const string RunErratumMark = " — known: ";
    // "kvm-pvm-isr-irq" and "kvm-pvm-isr-nested-outer" share their cause, named by three words.
    const int GroupWords = 3;

    public static string Short(Verdict v)
    {
        var xfailed = v.Checks.Where(c => c.Outcome == CheckOutcome.XFail).ToList();
        var failed = v.Checks.Where(c => c.Outcome == CheckOutcome.Fail).ToList();
        if (v.Outcome == Outcome.XFail && xfailed.Count > 0 && failed.Count == 0)
            return KnownIssues(xfailed);
        if (v.Outcome == Outcome.Fail && failed.Count > 0)
            return FirstFailure(failed, v.Checks.Count(c => c.Outcome is not CheckOutcome.Skip));
        if (v.Outcome == Outcome.XFail && v.Reason.IndexOf(RunErratumMark, StringComparison.Ordinal) is var at and > 0)
            return Clip(v.Reason[..at], MaxReason - " (known host issue)".Length) + " (known host issue)";
        return Clip(v.Reason, MaxReason);
    }

    static string KnownIssues(IReadOnlyList<CheckResult> xfailed)
    {
        var head = xfailed.Count == 1 ? "1 known host issue" : $"{xfailed.Count} known host issues";
        var names = Groups(xfailed.Select(c => c.ErratumId is { Length: > 0 } id ? id : c.Name).ToList());
        var shown = new List<string>();
        foreach (var name in names)
        {
            var candidate = $"{head} ({string.Join(", ", [.. shown, name])}{(shown.Count + 1 < names.Count ? ", " + More : "")})";
            if (candidate.Length > MaxReason && shown.Count > 0) break;
            shown.Add(name);
        }
        var tail = shown.Count < names.Count ? ", " + More : "";
        return Clip($"{head} ({string.Join(", ", shown)}{tail})", MaxReason);
    }

    /// <summary>One entry per shared three-word prefix, in first-seen order: "kvm-pvm-isr-* ×11", or the id (×N when it covers several checks).</summary>
    public static IReadOnlyList<string> Groups(IReadOnlyList<string> ids)
    {
        var order = new List<string>();
        var members = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var words = id.Split('-');
            var key = words.Length > GroupWords ? string.Join('-', words[..GroupWords]) : id;
            if (!members.TryGetValue(key, out var list))
            {
                members[key] = list = [];
                order.Add(key);
            }
            list.Add(id);
        }
        return order.Select(key =>
        {
            var list = members[key];
            var distinct = list.Distinct(StringComparer.Ordinal).ToList();
            var name = distinct.Count == 1 ? distinct[0] : distinct.Contains(key) ? $"{key}*" : $"{key}-*";
            return list.Count == 1 ? name : $"{name} ×{list.Count}";
        }).ToList();
    }

    static string FirstFailure(IReadOnlyList<CheckResult> failed, int judged)
    {
        var first = failed[0];
        var head = failed.Count == 1
            ? $"1 of {judged} checks failed: {first.Name}"
            : $"{failed.Count} of {judged} checks failed, first {first.Name}";
        return Clip(first.Detail.Length > 0 ? $"{head}: {first.Detail}" : head, MaxReason);
    }

    static string Clip(string text, int max)
    {
        var one = text.ReplaceLineEndings(" ");
        return one.Length <= max ? one : one[..(max - More.Length)].TrimEnd() + More;
    }
}
