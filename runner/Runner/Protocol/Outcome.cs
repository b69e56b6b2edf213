namespace Runner.Protocol;

/// <summary>The judgement of one test kernel run.</summary>
public enum Outcome
{
    Pass,
    Fail,
    Skip,
    Timeout,
    /// <summary>Failed only in checks that a tests/errata.cfg entry expects to fail on this host.</summary>
    XFail,
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
