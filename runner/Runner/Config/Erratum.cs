namespace Runner.Config;

/// <summary>One known issue from tests/errata.cfg: a check expected to fail on some hosts, and why.</summary>
public sealed record Erratum(string Id, string TestPattern, string CheckPattern, HostCondition When, string Reason, int Line)
{
    public bool Matches(string test, string check, ConditionFacts facts) =>
        Glob.IsMatch(TestPattern, test) && Glob.IsMatch(CheckPattern, check) && When.Holds(facts);
}
