using Runner.Protocol;

namespace Runner.Config;

/// <summary>
/// One known issue from tests/errata.cfg. A check erratum (<see cref="CheckPattern"/>)
/// turns a failed guest check into XFAIL. A run erratum (<see cref="FailurePattern"/>)
/// covers a host bug that kills the whole guest (QEMU stops with "KVM internal error"):
/// the run is XFAIL only when its failure reason matches the pattern, so any other
/// way of failing still FAILs.
/// </summary>
public sealed record Erratum(string Id, string TestPattern, string CheckPattern, HostCondition When, string Reason, int Line)
{
    public string? FailurePattern { get; init; }

    /// <summary>Line of the `test =` key, for an error about the tests it names.</summary>
    public int TestLine { get; init; }

    /// <summary>`intermittent = yes`: the check fails only sometimes here; a pass is not reported as XPASS.</summary>
    public bool Intermittent { get; init; }

    public KnownIssue AsKnownIssue => new(Reason, Intermittent, Id);

    public bool IsRunErratum => FailurePattern is not null;

    public bool Matches(string test, string check, ConditionFacts facts) =>
        !IsRunErratum && AnyMatches(TestPattern, test) && AnyMatches(CheckPattern, check) && When.Holds(facts);

    /// <summary>Whether the entry's `test =` names this test, on whatever host.</summary>
    public bool NamesTest(string test) => AnyMatches(TestPattern, test);

    /// <summary>`check = a b*`, `test = a* b*`: one cause often fails several checks of several tests; any glob matches.</summary>
    static bool AnyMatches(string patterns, string name) =>
        patterns.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(p => Glob.IsMatch(p, name));

    public bool MatchesRunFailure(string test, string failureReason, ConditionFacts facts) =>
        IsRunErratum && AnyMatches(TestPattern, test) && Glob.IsMatch(FailurePattern!, failureReason) && When.Holds(facts);
}
