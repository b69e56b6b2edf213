using Runner.Config;
using Runner.Protocol;

namespace Runner.Execution;

/// <summary>
/// Turns the verdict of a deliberately failing kernel (an entry with `expect =`) into
/// PASS when the runner concluded what the entry says, FAIL otherwise. A SKIP the entry
/// did not expect (an unmet requirement, an interrupted run) stays a SKIP: it did not run.
/// </summary>
public static class ExpectedOutcome
{
    public static Verdict Apply(Expectation? expect, Verdict judged)
    {
        if (expect is null) return judged;
        var label = judged.Outcome.Label();
        var said = judged.Reason.Length > 0 ? $"{label}: {judged.Reason}" : label;
        if (expect.Matches(judged.Outcome, judged.Reason))
            return judged with { Outcome = Outcome.Pass, Reason = $"as expected, {said}", Judged = judged };
        if (judged.Outcome == Outcome.Skip)
            return judged;
        return judged with { Outcome = Outcome.Fail, Reason = $"expected {expect.Text}, got {said}", Judged = judged };
    }
}
