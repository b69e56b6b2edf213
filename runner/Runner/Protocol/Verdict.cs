namespace Runner.Protocol;

/// <summary>The judged result of one run: outcome, the one-line reason, and what the guest reported.</summary>
public sealed record Verdict(Outcome Outcome, string Reason)
{
    public IReadOnlyList<CheckResult> Checks { get; init; } = [];
    public IReadOnlyList<MetricRecord> Metrics { get; init; } = [];
    public IReadOnlyList<InfoRecord> Infos { get; init; } = [];
    /// <summary>For an entry with `expect =`: the verdict as judged, before the expectation turned it into PASS or FAIL.</summary>
    public Verdict? Judged { get; init; }

    public int Count(CheckOutcome o) => Checks.Count(c => c.Outcome == o);
}
