using Runner.Protocol;

namespace Runner.Config;

/// <summary>
/// An entry's `expect = ...`: the verdict (and reason) a deliberately failing kernel must
/// get, for the fault suite (docs/faults.md). Alternatives are separated by `;`, each
/// `OUTCOME` or `OUTCOME: reason`, where the reason is a glob (`*`, `?`) found anywhere in
/// the runner's reason. `FAIL: KVM internal error; PASS` accepts either.
/// </summary>
public sealed record Expectation(string Text, IReadOnlyList<Expectation.Alternative> Alternatives)
{
    public sealed record Alternative(Outcome Outcome, string? Reason)
    {
        public bool Matches(Outcome outcome, string reason) =>
            outcome == Outcome && (Reason is null || Glob.IsMatch("*" + Reason + "*", reason));
    }

    static readonly Outcome[] Outcomes = [Outcome.Pass, Outcome.Fail, Outcome.Skip, Outcome.Timeout, Outcome.XFail];

    /// <exception cref="FormatException">with a message fit to follow "file:line: "</exception>
    public static Expectation Parse(string text)
    {
        var alternatives = new List<Alternative>();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries))
        {
            int colon = part.IndexOf(':');
            var label = (colon < 0 ? part : part[..colon]).Trim();
            var reason = colon < 0 ? null : part[(colon + 1)..].Trim();
            var outcome = Outcomes.Cast<Outcome?>().FirstOrDefault(o => o!.Value.Label() == label)
                ?? throw new FormatException($"expect = '{text}': '{label}' is not a verdict: write {string.Join(", ", Outcomes.Select(o => o.Label()))}, optionally ': reason'; alternatives separated by ';'");
            if (reason is { Length: 0 })
                throw new FormatException($"expect = '{text}': empty reason after '{label}:': give the reason's text or drop the ':'");
            alternatives.Add(new Alternative(outcome, reason));
        }
        return new Expectation(text, alternatives);
    }

    public bool Matches(Outcome outcome, string reason) => Alternatives.Any(a => a.Matches(outcome, reason));
}
