using System.Text.Json.Serialization;

namespace Runner.Protocol;

/// <summary>The judgement of one test kernel run; JSON spells it as <see cref="OutcomeText.Label(Outcome)"/> does.</summary>
public enum Outcome
{
    [JsonStringEnumMemberName("PASS")] Pass,
    [JsonStringEnumMemberName("FAIL")] Fail,
    [JsonStringEnumMemberName("SKIP")] Skip,
    [JsonStringEnumMemberName("TIMEOUT")] Timeout,
    /// <summary>Failed only in checks that a tests/errata.cfg entry expects to fail on this host.</summary>
    [JsonStringEnumMemberName("XFAIL")] XFail,
}

/// <summary>The judgement of one `#kt check` or `#kt skip` inside a run.</summary>
public enum CheckOutcome
{
    Pass,
    Fail,
    Skip,
    /// <summary>Failed, and an erratum for this host says it will.</summary>
    XFail,
    /// <summary>Passed although an erratum for this host says it fails: the erratum may be stale.</summary>
    XPass,
}

public static class OutcomeText
{
    /// <summary>Passed, or failed only where a known host issue says it would: a bench boot that counts as passed.</summary>
    public static bool PassedOrKnown(this Outcome o) => o is Outcome.Pass or Outcome.XFail;

    public static string Label(this Outcome o) => o switch
    {
        Outcome.Pass => "PASS",
        Outcome.Fail => "FAIL",
        Outcome.Skip => "SKIP",
        Outcome.Timeout => "TIMEOUT",
        _ => "XFAIL",
    };

    public static string Label(this CheckOutcome o) => o switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Fail => "FAIL",
        CheckOutcome.Skip => "skip",
        CheckOutcome.XFail => "XFAIL",
        _ => "XPASS",
    };
}
