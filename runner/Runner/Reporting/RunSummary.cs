using Runner.Execution;
using Runner.Protocol;

namespace Runner.Reporting;

/// <summary>The counts at the end of a run. Timeouts count as failed, so the closing line alone tells pass/fail.</summary>
public sealed record RunSummary(int Passed, int Failed, int Skipped, int XFail, int XPass, int Timeouts)
{
    public static RunSummary Of(IReadOnlyList<TestRunResult> results) => new(
        Passed: results.Count(r => r.Outcome == Outcome.Pass),
        Failed: results.Count(r => r.IsFailure),
        Skipped: results.Count(r => r.Outcome == Outcome.Skip),
        XFail: results.Count(r => r.Outcome == Outcome.XFail),
        XPass: results.Sum(r => r.Verdict.Count(CheckOutcome.XPass)),
        Timeouts: results.Count(r => r.Outcome == Outcome.Timeout));

    /// <summary>
    /// Kept in the plain "N passed, N failed, N skipped" shape that CI log readers recognise; XFAIL
    /// runs count as skipped (as in <see cref="ResultTotals"/>), so the three numbers add up to the runs.
    /// </summary>
    public string ClosingLine => $"{Passed} passed, {Failed} failed, {Skipped + XFail} skipped";

    public string DetailLine => $"{XFail} xfail (counted as skipped), {XPass} xpass (checks), {Timeouts} timeout (counted as failed)";
}
